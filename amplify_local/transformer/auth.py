def transform(ctx, configs):
    pass
