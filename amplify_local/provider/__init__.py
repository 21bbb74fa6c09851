"""The awscloudformation provider: credentials sources (profiles, 0600 access-key files under
~/.amplify) and regions. Deploying through CloudFormation belongs to a later issue."""
