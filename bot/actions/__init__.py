"""Custom actions run by the rasa-sdk action server (`rasa run actions --actions bot.actions`).

One module per concern: claim status, knowledge answers, fallback, and the helpers they
share (database calls off the event loop, the texts in `messages`).
"""
