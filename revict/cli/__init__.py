"""The `revict` command line (typer): parse, call one entry function, render, exit code."""
