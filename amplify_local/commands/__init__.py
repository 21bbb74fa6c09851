"""The command table: every `amplify <command>` name, where it lives, and what it does.

Each command lives in its own module under this package and exposes `main(argv: list[str]) -> int`.
Modules are imported only when their command runs, so `amplify --version` and `amplify help` stay
cheap. An entry without a module is a real Amplify CLI command that amplify-local does not offer yet:
running it says so and exits 2.
"""

from __future__ import annotations


class Command:
    """One entry of the table. A plain class: `dataclasses` would cost `amplify --version` 15 ms of imports."""

    __slots__ = ("module", "name", "planned", "summary")

    def __init__(self, name: str, summary: str, module: str | None = None, planned: str = "") -> None:
        self.name = name
        self.summary = summary
        self.module = module  # dotted path below amplify_local.commands; None = not available yet
        self.planned = planned  # what the unavailable command will do, shown to the user


COMMANDS: tuple[Command, ...] = (
    Command("init", "Initialise a new Amplify project in the current folder (works offline)", "init"),
    Command("configure", "Change project settings: `amplify configure project`", "configure"),
    Command("env", "Manage local environments: list, add, checkout, get, remove, import", "env"),
    Command("status", "Show the state of the project's resources", "status"),
    Command("add", "Add a resource: `amplify add api` (headless with --headless)", "add"),
    Command("remove", "Remove a resource from the project", "remove"),
    Command("api", "API helpers: `amplify api gql-compile`", "api"),
    Command("mock", "Run the local mock: `amplify mock [api|function|storage|dynamodb]`", "mock"),
    Command("evaluate-mapping-template", "Render a VTL template with a context, as AppSync's "
            "EvaluateMappingTemplate API does", "evaluate_mapping_template"),
    Command("pull", "Fetch the backend from the cloud", None, "deploying and fetching cloud backends"),
    Command("push", "Deploy local backend changes to the cloud", None, "deploying to AWS through CloudFormation"),
    Command("publish", "Build and deploy the backend and the frontend", None, "deploying to AWS and hosting"),
    Command("codegen", "Generate GraphQL statements and types", None, "GraphQL statements and types"),
    Command("plugin", "Manage CLI plugins", None, "plugin management"),
)

BY_NAME: dict[str, Command] = {command.name: command for command in COMMANDS}
