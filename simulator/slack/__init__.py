"""The Slack fake's parts, one module per section: HTTP plumbing, Block Kit checks, the
workspace model, records and scripted failures, and the Web API's method groups (auth, chat,
conversations, users, views, files). `simulator/fake_slack.py` puts them together as
`SlackFake`, the one class tests and the demo use."""
