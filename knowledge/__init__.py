"""The knowledge base: articles about coverage and procedures, and how to find the right one."""
