"""amplify-local: a Java-free local mock of AWS Amplify beside an amplify-compatible headless CLI core.

The public surface is the `amplify` / `amplify-local` command (`amplify_local.cli`). Keep this module
import-free: `amplify --version` must not pay for the server stack.
"""

__version__ = "0.1.0"
