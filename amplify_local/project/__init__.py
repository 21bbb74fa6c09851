"""The amplify/ project folder as the real Amplify CLI writes it, and the headless input that shapes it.

paths (where each file lives), files (located JSON errors, atomic writes, staged folders), settings
(the --amplify/--frontend/--providers rules), headless (options, questions, the table), state (what
init writes; environments), frontend (aws-exports.js and friends, .gitignore), resources (backend-config
and status operations), api_resource (the headless AddApiRequest).
"""
