"""Where people meet the assistant: custom Rasa input channels (web page, WeChat, agents)."""
