"""The sidebar contract is written once per side; these tests fail when the TypeScript and Python sides differ."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from vanna_magic.jupyter import comm, protocol

TOKENS = Path(__file__).parents[1] / "labextension" / "src" / "tokens.ts"


def test_tokens_ts_declares_exactly_the_python_contract():
    block = protocol.contract_block(TOKENS.read_text())
    assert block == protocol.typescript(), (
        "labextension/src/tokens.ts is out of date: run "
        "python -m vanna_magic.jupyter.protocol labextension/src/tokens.ts")


def test_every_op_has_a_kernel_handler_and_a_result_record():
    assert set(comm._HANDLERS) == set(protocol.OPS)
    for _args, result in protocol.OPS.values():
        assert result in protocol.RECORDS


def test_every_type_in_the_contract_is_declared():
    primitives = {"string", "number", "boolean", "null"}
    for fields in [*protocol.RECORDS.values(), *(args for args, _ in protocol.OPS.values())]:
        for field in fields:
            for part in field.type.split("|"):
                name = part.strip().removesuffix("[]")
                assert name in primitives or name in protocol.RECORDS, f"{field.name}: {field.type}"


def test_op_arguments_are_primitives_the_kernel_can_check():
    for args, _ in protocol.OPS.values():
        assert all(field.type in ("string", "number", "boolean") for field in args)


def test_the_generated_block_is_rewritten_in_place(tmp_path):
    target = tmp_path / "tokens.ts"
    target.write_text("before\n// BEGIN CONTRACT x\nstale\n// END CONTRACT\nafter\n")
    protocol.write_typescript(target)
    assert target.read_text() == f"before\n// BEGIN CONTRACT x\n{protocol.typescript()}// END CONTRACT\nafter\n"


def test_a_tokens_file_without_markers_is_refused(tmp_path):
    target = tmp_path / "tokens.ts"
    target.write_text("export const x = 1;\n")
    with pytest.raises(ValueError, match="BEGIN CONTRACT"):
        protocol.write_typescript(target)


def test_the_typescript_compiles_against_the_contract_and_its_unit_tests_pass():
    """``tsc`` type-checks every use of the contract in ``src/``; ``node --test`` runs ``labextension/test/``."""
    labextension = TOKENS.parents[1]
    assert (labextension / "node_modules" / "typescript").is_dir(), "run `jlpm install` in labextension/"
    jlpm = Path(sys.executable).parent / "jlpm"
    env = {**os.environ, "PATH": f"{jlpm.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    for command in (["tsc", "--noEmit"], ["test"]):
        run = subprocess.run([str(jlpm), *command], cwd=labextension, env=env, capture_output=True, text=True,
                             timeout=300)
        assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "# fail 0" in run.stdout
