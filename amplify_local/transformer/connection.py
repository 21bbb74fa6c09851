def transform(ctx):
    pass
