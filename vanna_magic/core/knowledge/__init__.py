"""The knowledge base: example questions with their SQL, semantic definitions and documents, kept as
files in git (``files``, ``entries``, ``sources``, ``examples``, ``importers``), embedded (``embed``)
into a FAISS index cached by content (``index``), and searched (``retrieve``, ``search``)."""
