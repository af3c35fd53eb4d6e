"""Write the parse tables of checkov's JSONPath grammar once, into its virtual environment.

checkov evaluates its graph checks' JSONPath expressions with ``bc_jsonpath_ng``, whose parser asks PLY for the
grammar's LALR tables on every expression and never lets PLY save them (``write_tables=0``), so each run of checkov
computes the same tables again: about a third of a checkov run over template.yaml. PLY reads tables from a
``<package>.parser_jsonpath_parsetab`` module when one is there and its signature matches the grammar (otherwise it
computes them as before), so writing that module once, here, changes only the time a run takes.

Run with the checkov environment's interpreter (``make tools`` does, after installing checkov).
"""

from __future__ import annotations

import sys
from pathlib import Path

import ply.yacc

try:
    from bc_jsonpath_ng import parser as base
    from bc_jsonpath_ng.ext import parser as extended
except ImportError as missing:
    sys.exit(f"{missing}: run this with the interpreter of checkov's virtual environment (.venv-checkov/bin/python)")

TABLE_MODULE = "parser_jsonpath_parsetab"  # what bc_jsonpath_ng's parser asks PLY for, with start symbol "jsonpath"


def main() -> None:
    # bc_jsonpath_ng spells its extended parser "Extented".
    grammars = [(base, "JsonPathParser"), (extended, "ExtentedJsonPathParser")]
    for module, class_name in grammars:
        parser_class = getattr(module, class_name, None)
        if parser_class is None:
            sys.exit(f"{module.__name__} has no {class_name}: update this script for the bc_jsonpath_ng checkov pins")
        ply.yacc.yacc(
            module=parser_class(),
            start="jsonpath",
            tabmodule=TABLE_MODULE,
            outputdir=str(Path(module.__file__).parent),
            write_tables=True,
            debug=False,
        )


if __name__ == "__main__":
    main()
