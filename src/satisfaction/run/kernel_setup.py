"""The code a new warm kernel runs once (``satisfaction.run.kernel.WarmKernel``).

It imports the preload, snapshots the state a notebook may change, and registers
``reset(cwd, environment)`` in a module of its own (``sys.modules`` survives ``%reset``, the
user namespace does not), which the kernel runs between notebooks.
"""

from __future__ import annotations

__all__ = ["SETUP"]

#: Defines `__satisfaction_warm_setup(preload)`, which the kernel then calls once.
SETUP = r"""
def __satisfaction_warm_setup(preload):
    import gc, importlib, logging, os, sys, types, warnings

    state = types.ModuleType("_satisfaction_warm")
    state.failed = []
    for name in preload:
        try:
            importlib.import_module(name)
        except Exception as error:  # a missing optional module only costs speed
            state.failed.append(f"{name}: {type(error).__name__}: {error}")
    if "matplotlib.pyplot" in sys.modules:  # load fonts and the Agg renderer once, now
        import io

        plt = sys.modules["matplotlib.pyplot"]
        figure = plt.figure(figsize=(1, 1))
        figure.gca().set_title("ắ")
        figure.savefig(io.BytesIO(), format="png")
        plt.close(figure)
    state.warning_filters = list(warnings.filters)
    state.environ = dict(os.environ)
    state.sys_path = list(sys.path)
    state.log_handlers = list(logging.root.handlers)
    state.log_level = logging.root.level
    # Freeze what the preload made: %reset's full collections then skip the ~10^6 objects of
    # pandas, statsmodels and matplotlib (0.3 s per reset -> 2 ms).
    gc.collect()
    gc.freeze()

    def reset(cwd, environment=None):
        from IPython import get_ipython

        shell = get_ipython()
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")  # before %reset's collection
        shell.run_line_magic("reset", "-f")
        if "matplotlib" in sys.modules:
            import matplotlib

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                matplotlib.rc_file_defaults()
            backend = str(dict.__getitem__(matplotlib.rcParams, "backend"))
            if "inline" not in backend:  # a notebook called matplotlib.use(...)
                if "matplotlib.pyplot" in sys.modules:
                    shell.run_line_magic("matplotlib", "inline")
                else:
                    matplotlib.rcParams["backend"] = "module://matplotlib_inline.backend_inline"
        if "pandas" in sys.modules:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sys.modules["pandas"].reset_option("all")
        warnings.filters[:] = state.warning_filters
        if hasattr(warnings, "_filters_mutated"):
            warnings._filters_mutated()  # forget which warnings were already shown
        if os.environ != state.environ:
            os.environ.clear()
            os.environ.update(state.environ)
        os.environ.update(environment or {})  # this notebook's own (e.g. SATISFACTION_ROOT)
        sys.path[:] = state.sys_path
        logging.root.handlers[:] = state.log_handlers
        logging.root.setLevel(state.log_level)
        os.chdir(cwd)
        shell.execution_count = 1
        # collect the last notebook's garbage, then freeze the survivors (modules it
        # imported) so later collections stay cheap
        gc.collect()
        gc.freeze()

    state.reset = reset
    sys.modules["_satisfaction_warm"] = state
    return state.failed
"""
