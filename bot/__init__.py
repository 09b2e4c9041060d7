"""The conversational assistant: Rasa data, custom NLU components, channels and actions."""
