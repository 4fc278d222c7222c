"""From a question to SQL: value linking, the prompt under a token budget, the model over litellm
(retries inside one deadline, record and replay), SQL extraction and follow-up questions."""
