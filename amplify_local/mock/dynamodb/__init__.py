"""The DynamoDB mock: DynamoDB's semantics on an embedded SQLite file, and a DynamoDB endpoint over it.

The interfaces other parts code against:

- `Engine.open(path)`: the engine over one SQLite file (`path` a file, or a folder such as
  `amplify/mock-data/dynamodb` that gets `local.sqlite`); `None` keeps everything in memory. One engine per
  project, thread-safe, shared by the AppSync data sources and the HTTP endpoint. A corrupt or foreign
  file raises `StorageError` with a message naming the file; it is never overwritten. `Engine.open(path,
  shared=True)` lets reader processes read the file meanwhile (`readers.py`).
- One method per DynamoDB operation, named in snake_case (`put_item`, `query`, `transact_write_items`,
  ...), taking and returning the JSON of the low-level API as dicts (typed values `{"S": ...}`, B as
  base64 text) and raising `DynamoDBError(code, message, **extra)`. `OPERATIONS` maps the wire names
  (`PutItem`) to the method names.
- `engine.ensure_table(table)` creates a table of the API definition (`transformer.types.Table`) or
  migrates its GSIs (added ones are backfilled, data is kept); `engine.clear()` empties every table and
  returns their names; `engine.add_listener(fn)` receives a DynamoDB Streams record per committed change;
  `engine.expire_items()` deletes items whose TTL has passed.
- `RemoteEngine(endpoint_url)` has the same operation methods and forwards them to any DynamoDB endpoint
  (DynamoDB Local, moto server, AWS): the storage seam.
- `api.create_server(engine)` is the JSON 1.0 endpoint (`X-Amz-Target: DynamoDB_20120810.*`) as an
  `http.Server` to `await server.serve([sock])` on a running loop (`amplify mock api` on 62224, sharing the
  API's engine); `api.serve(...)` runs it alone, with `readers` reader processes that answer reads on
  further cores (`amplify mock dynamodb`); `api.Endpoint.start(engine, host, port)` serves it from a
  background thread (tests, scripts) and `.stop()` ends it.
"""

from amplify_local.mock.dynamodb.engine import OPERATIONS, Engine
from amplify_local.mock.dynamodb.errors import DynamoDBError
from amplify_local.mock.dynamodb.storage import StorageError

__all__ = ["OPERATIONS", "DynamoDBError", "Engine", "RemoteEngine", "StorageError"]


def __getattr__(name: str) -> object:
    """`RemoteEngine` imports botocore (~0.3 s): loaded on first use, off `amplify mock api`'s cold start."""
    if name == "RemoteEngine":
        from amplify_local.mock.dynamodb.remote import RemoteEngine

        return RemoteEngine
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
