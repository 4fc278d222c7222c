import vanna_magic


def test_public_surface_is_small_and_complete():
    assert set(vanna_magic.__all__) == {
        "Answer", "Session", "VannaError", "ConfigurationError", "DatabaseConnectionError", "ExecutionError",
        "FirewallError", "GenerationError", "KnowledgeBaseError", "ModelNotConfiguredError", "QueryTimeoutError",
        "RateLimitError", "ReplayMissError", "__version__"}
    for name in vanna_magic.__all__:
        assert hasattr(vanna_magic, name)


def test_every_error_derives_from_vanna_error():
    for name in vanna_magic.__all__:
        obj = getattr(vanna_magic, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, vanna_magic.VannaError)


def test_core_never_imports_jupyter_front_ends():
    import subprocess
    import sys

    code = ("import sys, vanna_magic.core.session, vanna_magic.core.pipeline, vanna_magic.cli; "
            "print([m for m in sys.modules if m.split('.')[0] in ('IPython', 'ipywidgets') "
            "or m.startswith('vanna_magic.jupyter')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
