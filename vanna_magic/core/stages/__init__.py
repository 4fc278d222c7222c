"""The stages of :func:`vanna_magic.core.pipeline.ask`, one module each: the glue that runs a stage over the
context. The parts they call live in the folders named after what they do (``knowledge/``, ``generate/``,
``rewrite/``, ``guard/``, ``data/``, ``diagnose/``)."""
