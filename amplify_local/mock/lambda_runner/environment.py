"""The process environment of a function, as Lambda sets it, pointed at the local mock.

Layered in this order, later layers winning:
1. the template's `Environment.Variables`, intrinsics resolved by `amplify_local.cfn`;
2. Lambda's own variables (`AWS_REGION`, `AWS_LAMBDA_FUNCTION_NAME`, `_HANDLER`, `LAMBDA_TASK_ROOT`,
   `TZ=UTC`, ...), the module path (`NODE_PATH` / `PYTHONPATH`, layers included), fake credentials and
   the local DynamoDB and S3 endpoints (`AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_S3`);
3. the runner's `env_overrides` (what the API mock knows: endpoints, table names);
4. the function's `.env` file.

Nothing from the mock's own environment is inherited except `PATH`, so the user's real AWS
credentials and profile never reach a function (the shared config files point at /dev/null).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from amplify_local import cfn

DEFAULT_ENDPOINTS = {
    "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:62224",
    "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:20005",
}
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "ASIAAMPLIFYLOCALMOCK",
    "AWS_SECRET_ACCESS_KEY": "amplify-local-fake-secret",
    "AWS_SESSION_TOKEN": "amplify-local-fake-session-token",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}
_DOTENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*?)\s*$")


class DotenvError(ValueError):
    """A `.env` line that is not `KEY=value`; the message names the file and line."""


def read_dotenv(path: Path) -> dict[str, str]:
    """`KEY=value` lines; `#` comments, `export`, single and double quotes (with \\n escapes in double)."""
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _DOTENV_LINE.match(line)
        if match is None:
            raise DotenvError(f"{path}:{number}: expected KEY=value, found {line.strip()!r}")
        key, raw = match.groups()
        if raw[:1] in ("'", '"') and raw.endswith(raw[0]) and len(raw) >= 2:
            value = raw[1:-1]
            if raw[0] == '"':
                value = value.replace("\\n", "\n").replace('\\"', '"')
        else:
            value = raw.split(" #", 1)[0].rstrip()
        values[key] = value
    return values


def resolve_variables(variables: Mapping[str, Any], scope: cfn.Scope, where: str) -> tuple[dict[str, str], list[str]]:
    """The template's variables with intrinsics resolved; one warning per variable that cannot be."""
    resolved: dict[str, str] = {}
    warnings: list[str] = []
    for key, value in variables.items():
        if value == {"Ref": "AWS::NoValue"}:
            continue
        try:  # a one-element Fn::Join renders the value as CloudFormation would (true/false, numbers)
            resolved[key] = cfn.resolve({"Fn::Join": ["", [value]]}, scope)
        except (cfn.UnresolvableError, ValueError, TypeError, IndexError, KeyError) as error:
            warnings.append(f"{where}: environment variable {key} is left unset: {error}. "
                            f"Set it in the function's .env file to give it a local value.")
    return resolved, warnings


def lambda_variables(*, deployed_name: str, runtime: str, handler: str, task_root: Path, memory_mb: int,
                     region: str, module_paths: list[Path], language: str) -> dict[str, str]:
    """The variables Lambda defines in every execution environment, plus the local endpoints."""
    stream = f"{deployed_name}/[$LATEST]amplifylocal"
    variables = {
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_LAMBDA_FUNCTION_NAME": deployed_name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_mb),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{deployed_name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": stream,
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{runtime}",
        "_HANDLER": handler,
        "LAMBDA_TASK_ROOT": str(task_root),
        "LAMBDA_RUNTIME_DIR": str(Path(__file__).parent),
        "TZ": "UTC",
        "LANG": "en_US.UTF-8",
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        **FAKE_CREDENTIALS,
        **DEFAULT_ENDPOINTS,
    }
    if language == "nodejs":
        variables["NODE_PATH"] = os.pathsep.join(str(path) for path in module_paths)
    else:
        variables["PYTHONPATH"] = os.pathsep.join(str(path) for path in [task_root, *module_paths])
        variables["PYTHONUNBUFFERED"] = "1"
        variables["PYTHONDONTWRITEBYTECODE"] = "1"
    return variables
