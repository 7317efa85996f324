"""Checked procedures to runnable ones: the IR table and the transitions machine."""

from sopflow.compile.ir import IR, BranchIR, CallIR, StateIR, WayIR
from sopflow.compile.procedure import Procedure, compile_procedure

__all__ = ["IR", "BranchIR", "CallIR", "Procedure", "StateIR", "WayIR", "compile_procedure"]
