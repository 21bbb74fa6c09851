"""Finding functions and turning each into a `FunctionSpec`.

Two sources:
- a project: every `amplify/backend/function/<name>/` with a `<name>-cloudformation-template.json`
  (runtime, handler, timeout, memory, environment), `parameters.json`, `function-parameters.json`
  (its project layers), `.env`, and code in `src/`. Folders of Lambda layers (`LambdaLayer` in
  backend-config, or a `layer-configuration.json`) are layers, not functions; a function's layers put
  their `lib/nodejs/node_modules` / `opt/nodejs/node_modules` or `lib/python` / `opt/python` folders
  on its module path.
- a `lambda_dir` of single-file Node handlers `<name>.js` exporting `handler`, as the reference kit's
  `serve.js --lambda-dir` runs them.

Template parameters come from the template's defaults, the current env name, team-provider-info,
`parameters.json` and the amplify-meta outputs of the resources the function depends on. The API's
endpoint and key outputs are replaced by the local mock's, and `Fn::ImportValue` of
`<api id>:GetAtt:<Model>Table:Name` gives the local table's name (the mock names tables by logical id).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from amplify_local import cfn
from amplify_local.mock.lambda_runner import environment
from amplify_local.mock.lambda_runner.types import FunctionSpec, LambdaError, Language

LAMBDA_DEFAULT_TIMEOUT = 3.0  # a template without Timeout
LAMBDA_DIR_TIMEOUT = 10.0  # single-file handlers: the reference mock's default
LAMBDA_DIR_RUNTIME = "nodejs20.x"
LOCAL_API_ID = "amplifylocalapi"
_IMPORTED_TABLE = re.compile(r":GetAtt:([A-Za-z0-9_]+):(Name|Arn|StreamArn)$")
_SKIPPED_DIRS = {"node_modules", ".git", "__pycache__", ".venv", "dist", "build", ".amplify-local"}
PYTHON_PACKAGES = Path(".amplify-local") / "python"  # where the build step installs a Python function's packages
T = TypeVar("T")


@dataclass(frozen=True)
class FunctionSource:
    """Where a function lives: a project folder or a single handler file."""

    name: str
    kind: Literal["project", "file"]
    path: Path  # the function folder, or the `<name>.js` file


@dataclass
class Settings:
    """What the runner imposes on every function."""

    env_overrides: Mapping[str, str] = field(default_factory=dict)
    timeout_override: float | None = None
    graphql_endpoint: str = "http://localhost:20002/graphql"
    api_key: str = "da2-fakeApiId123456"


def _read_object(path: Path) -> dict[str, Any]:
    """A JSON object file; a missing file is `{}`, a malformed one (or not an object) names the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise LambdaError("InvalidParameterValueException",
                          f"{path}:{error.lineno}:{error.colno}: invalid JSON: {error.msg}") from None
    if not isinstance(document, dict):
        raise LambdaError("InvalidParameterValueException",
                          f"{path}: expected a JSON object, found {type(document).__name__}")
    return document


@dataclass
class Project:
    """The parts of an Amplify project folder that function discovery reads."""

    root: Path
    env_name: str = "dev"
    region: str = cfn.PSEUDO_PARAMETERS["AWS::Region"]
    meta: dict[str, Any] = field(default_factory=dict)
    backend_config: dict[str, Any] = field(default_factory=dict)
    team_provider: dict[str, Any] = field(default_factory=dict)

    @property
    def functions_dir(self) -> Path:
        return self.root / "amplify" / "backend" / "function"

    @classmethod
    def load(cls, root: Path) -> Project:
        amplify = root / "amplify"
        env_name = _read_object(amplify / ".config" / "local-env-info.json").get("envName") or "dev"
        meta = _read_object(amplify / "backend" / "amplify-meta.json")
        region = ((meta.get("providers") or {}).get("awscloudformation") or {}).get("Region")
        return cls(
            root=root,
            env_name=env_name,
            region=region or cfn.PSEUDO_PARAMETERS["AWS::Region"],
            meta=meta,
            backend_config=_read_object(amplify / "backend" / "backend-config.json"),
            team_provider=_read_object(amplify / "team-provider-info.json"),
        )

    def is_layer(self, name: str) -> bool:
        entry = (self.backend_config.get("function") or {}).get(name) or {}
        folder = self.functions_dir / name
        return entry.get("service") == "LambdaLayer" or (folder / "layer-configuration.json").exists()


def discover(project: Project | None, lambda_dir: Path | None) -> dict[str, FunctionSource]:
    """Every function the runner can invoke, by name (project functions win over lambda_dir files)."""
    found: dict[str, FunctionSource] = {}
    if lambda_dir is not None and lambda_dir.is_dir():
        for file in sorted(lambda_dir.glob("*.js")):
            found[file.stem] = FunctionSource(file.stem, "file", file)
    if project is not None and project.functions_dir.is_dir():
        for folder in sorted(project.functions_dir.iterdir()):
            if folder.is_dir() and not project.is_layer(folder.name):
                found[folder.name] = FunctionSource(folder.name, "project", folder)
    return found


def fingerprint(paths: Iterable[Path]) -> tuple[tuple[str, int, int], ...]:
    """The (path, mtime, size) of every file under `paths`, dependency folders skipped: a change
    anywhere in the function's own files means its workers must restart."""
    entries: list[tuple[str, int, int]] = []
    for root in paths:
        if root.is_file():
            status = root.stat()
            entries.append((str(root), status.st_mtime_ns, status.st_size))
            continue
        for directory, subdirectories, files in os.walk(root):
            subdirectories[:] = sorted(d for d in subdirectories if d not in _SKIPPED_DIRS)
            for name in sorted(files):
                path = os.path.join(directory, name)
                try:
                    status = os.stat(path)
                except FileNotFoundError:
                    continue
                entries.append((path, status.st_mtime_ns, status.st_size))
    return tuple(entries)


def language_of(runtime: str, function_name: str) -> tuple[Language, str]:
    """The shim language and the interpreter on PATH for a Lambda runtime identifier."""
    if runtime.startswith("nodejs"):
        candidates = ["node"]
        language: Language = "nodejs"
    elif runtime.startswith("python3"):
        if runtime == f"python{sys.version_info.major}.{sys.version_info.minor}":
            return "python", sys.executable  # the mock's own interpreter: boto3 is there, as in Lambda
        candidates = [runtime, "python3"]
        language = "python"
    else:
        raise LambdaError("InvalidRuntimeException",
                          f"Function {function_name}: runtime {runtime or '(none)'} cannot run locally; "
                          "amplify-local runs nodejs* and python3* functions", function_name=function_name)
    for candidate in candidates:
        executable = shutil.which(candidate)
        if executable:
            return language, executable
    raise LambdaError("InvalidRuntimeException",
                      f"Function {function_name}: runtime {runtime} needs {' or '.join(candidates)} on PATH; "
                      "none was found", function_name=function_name)


def _arn(region: str, deployed_name: str) -> str:
    return f"arn:aws:lambda:{region}:{cfn.PSEUDO_PARAMETERS['AWS::AccountId']}:function:{deployed_name}"


def file_spec(source: FunctionSource, settings: Settings) -> FunctionSpec:
    """A single-file Node handler from a lambda_dir."""
    language, executable = language_of(LAMBDA_DIR_RUNTIME, source.name)
    region = cfn.PSEUDO_PARAMETERS["AWS::Region"]
    handler = f"{source.name}.handler"
    variables = environment.lambda_variables(
        deployed_name=source.name, runtime=LAMBDA_DIR_RUNTIME, handler=handler, task_root=source.path.parent,
        memory_mb=128, region=region, module_paths=[], language=language)
    variables.update(settings.env_overrides)
    return FunctionSpec(
        name=source.name, language=language, runtime=LAMBDA_DIR_RUNTIME, handler=handler,
        task_root=source.path.parent, timeout=settings.timeout_override or LAMBDA_DIR_TIMEOUT,
        environment=variables, deployed_name=source.name, arn=_arn(region, source.name),
        executable=executable, watch=(source.path,))


def _template_path(folder: Path, name: str) -> Path:
    expected = folder / f"{name}-cloudformation-template.json"
    if expected.exists():
        return expected
    candidates = sorted(folder.glob("*-cloudformation-template.json")) or sorted(folder.glob("*template.json"))
    if not candidates:
        raise LambdaError("ResourceNotFoundException",
                          f"Function {name}: no CloudFormation template in {folder} (expected {expected.name})",
                          function_name=name)
    return candidates[0]


def _lambda_resource(template: dict[str, Any], path: Path, name: str) -> dict[str, Any]:
    for resource in (template.get("Resources") or {}).values():
        if isinstance(resource, dict) and resource.get("Type") == "AWS::Lambda::Function":
            return resource.get("Properties") or {}
    raise LambdaError("InvalidParameterValueException",
                      f"{path}: no resource of type AWS::Lambda::Function", function_name=name)


def _parameters(project: Project, name: str, template: dict[str, Any], folder: Path, settings: Settings) -> dict[str, Any]:
    parameters: dict[str, Any] = {
        key: definition["Default"]
        for key, definition in (template.get("Parameters") or {}).items()
        if isinstance(definition, dict) and "Default" in definition
    }
    parameters["env"] = project.env_name
    env_entry = (project.team_provider.get(project.env_name) or {}).get("categories") or {}
    parameters.update((env_entry.get("function") or {}).get(name) or {})
    parameters.update(_read_object(folder / "parameters.json"))
    depends_on = ((project.backend_config.get("function") or {}).get(name) or {}).get("dependsOn") or []
    for dependency in depends_on:
        category, resource = dependency.get("category", ""), dependency.get("resourceName", "")
        outputs = ((project.meta.get(category) or {}).get(resource) or {}).get("output") or {}
        for attribute in dependency.get("attributes") or []:
            key = f"{category}{resource}{attribute}"
            if attribute in outputs:
                parameters[key] = outputs[attribute]
            elif attribute in ("GraphQLAPIIdOutput", "GraphQLAPIEndpointOutput", "GraphQLAPIKeyOutput"):
                parameters[key] = LOCAL_API_ID  # a never-pushed API; the endpoint and key are set below
    local_api = {"GraphQLAPIEndpointOutput": settings.graphql_endpoint, "GraphQLAPIKeyOutput": settings.api_key}
    for key in parameters:  # the API mock's endpoint and key, wherever a parameter names the API's
        for suffix, value in local_api.items():
            if key.endswith(suffix):
                parameters[key] = value
    return parameters


def _import_value(region: str) -> Any:
    def lookup(name: Any) -> str:
        match = _IMPORTED_TABLE.search(str(name))
        if match is None:
            raise cfn.UnresolvableError(f'Fn::ImportValue "{name}" is not known locally')
        table, attribute = match.groups()
        if attribute == "Name":
            return table
        account = cfn.PSEUDO_PARAMETERS["AWS::AccountId"]
        suffix = "/stream/local" if attribute == "StreamArn" else ""
        return f"arn:aws:dynamodb:{region}:{account}:table/{table}{suffix}"
    return lookup


def _layer_names(project: Project, name: str, folder: Path, properties: dict[str, Any]) -> list[str]:
    """The project layers a function uses: function-parameters.json, then the template's Layers."""
    names: list[str] = []
    for layer in _read_object(folder / "function-parameters.json").get("lambdaLayers") or []:
        if isinstance(layer, dict) and layer.get("type", "ProjectLayer") == "ProjectLayer" and layer.get("resourceName"):
            names.append(layer["resourceName"])
    mentioned = json.dumps(properties.get("Layers") or [])
    if project.functions_dir.is_dir():
        for candidate in sorted(project.functions_dir.iterdir()):
            if candidate.name not in names and project.is_layer(candidate.name) and (
                    f"function{candidate.name}Arn" in mentioned or f":layer:{candidate.name}" in mentioned):
                names.append(candidate.name)
    missing = [layer for layer in names if not (project.functions_dir / layer).is_dir()]
    if missing:
        raise LambdaError("ResourceNotFoundException",
                          f"Function {name} uses layer(s) {', '.join(missing)}, which have no folder in "
                          f"{project.functions_dir}", function_name=name)
    return names


def _layer_module_paths(layer: Path, language: Language) -> list[Path]:
    if language == "nodejs":
        candidates = [layer / "lib" / "nodejs" / "node_modules", layer / "opt" / "nodejs" / "node_modules",
                      layer / "nodejs" / "node_modules"]
    else:
        candidates = []
        for base in (layer / "lib" / "python", layer / "opt" / "python", layer / "python"):
            candidates.append(base)
            candidates.extend(sorted(base.glob("lib/python3*/site-packages")))
    return [path for path in candidates if path.is_dir()]


def project_spec(source: FunctionSource, project: Project, settings: Settings) -> FunctionSpec:
    """A project function, with its resolved environment; it watches its folder and its layers."""
    name, folder = source.name, source.path
    template_path = _template_path(folder, name)
    template = _read_object(template_path)
    properties = _lambda_resource(template, template_path, name)
    parameters = _parameters(project, name, template, folder, settings)
    parameters["AWS::Region"] = project.region
    scope = cfn.Scope(parameters=parameters, conditions=template.get("Conditions") or {},
                      import_value=_import_value(project.region))
    def resolved(key: str, default: Any, convert: Callable[[Any], T]) -> T:
        """A property with its intrinsics resolved; one that cannot be names the template and the property."""
        value = properties.get(key)
        try:
            return convert(cfn.resolve(default if value is None or value == "" else value, scope))
        except (ValueError, TypeError) as error:  # cfn.UnresolvableError is a ValueError
            raise LambdaError("InvalidParameterValueException", f"{template_path}: {key}: {error}",
                              function_name=name) from None

    runtime = resolved("Runtime", "", str)
    language, executable = language_of(runtime, name)
    handler = resolved("Handler", "index.handler", str)
    try:
        deployed_name = str(cfn.resolve(properties.get("FunctionName") or name, scope))
    except cfn.UnresolvableError:  # Amplify's own naming, `<name>-<env>`, when the name needs a cloud value
        deployed_name = f"{name}-{project.env_name}"
    timeout = resolved("Timeout", LAMBDA_DEFAULT_TIMEOUT, float)
    memory = resolved("MemorySize", 128, int)
    layers = [project.functions_dir / layer for layer in _layer_names(project, name, folder, properties)]
    module_paths = [path for layer in layers for path in _layer_module_paths(layer, language)]
    if language == "python":
        module_paths.insert(0, folder / PYTHON_PACKAGES)
    task_root = folder / "src"
    if not task_root.is_dir():
        raise LambdaError("Runtime.ImportModuleError", f"Function {name}: no src folder in {folder}",
                          function_name=name)
    variables, warnings = environment.resolve_variables(
        ((properties.get("Environment") or {}).get("Variables") or {}), scope, str(template_path))
    variables.update(environment.lambda_variables(
        deployed_name=deployed_name, runtime=runtime, handler=handler, task_root=task_root, memory_mb=memory,
        region=project.region, module_paths=module_paths, language=language))
    variables.update(settings.env_overrides)
    dotenv = folder / ".env"
    if dotenv.exists():
        try:
            variables.update(environment.read_dotenv(dotenv))
        except environment.DotenvError as error:
            raise LambdaError("InvalidParameterValueException", str(error), function_name=name) from None
    return FunctionSpec(
        name=name, language=language, runtime=runtime, handler=handler, task_root=task_root,
        timeout=settings.timeout_override or timeout, environment=variables, deployed_name=deployed_name,
        arn=_arn(project.region, deployed_name), memory_mb=memory, executable=executable,
        watch=(folder, *layers), warnings=tuple(warnings))


def load_spec(source: FunctionSource, project: Project | None, settings: Settings) -> FunctionSpec:
    if source.kind == "file" or project is None:
        return file_spec(source, settings)
    return project_spec(source, project, settings)
