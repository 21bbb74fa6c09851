"""The GraphQL transformer for v1 directives, and the reader of CLI build folders.

`transform.transform_api(api_dir)` turns `amplify/backend/api/<name>/` into the files the real CLI
writes to `build/` (in memory); `build.api_from_build(files)` / `build.read_build(folder)` turn such
files into the `types.ApiDefinition` the mock serves. Errors are `errors.SchemaError`, located.
"""
