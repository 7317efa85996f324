"""The public surface is small on purpose; changing it is a decision, so a test pins it."""

import sopflow


def test_all_is_pinned() -> None:
    """`sopflow.__all__` lists exactly the public names, sorted."""
    expected = [
        "Clock",
        "DefinitionError",
        "Entry",
        "Library",
        "ManualClock",
        "Procedure",
        "RuntimeRefusal",
        "Session",
        "SopflowError",
        "Step",
        "SystemClock",
        "__version__",
        "load_library",
        "load_string",
    ]
    assert expected == sopflow.__all__


def test_every_exported_name_exists() -> None:
    """Every name in `__all__` is importable from the package."""
    missing = [name for name in sopflow.__all__ if not hasattr(sopflow, name)]
    assert [] == missing


def test_testing_tools_for_hosts_are_pinned() -> None:
    """What a host's property tests import from `sopflow.testing.strategies` and `sopflow.testing.host`."""
    from sopflow.testing import host, strategies

    assert (
        [
            "START",
            "Action",
            "Visit",
            "actions",
            "apply",
            "can_act",
            "event_data",
            "event_sequences",
            "field_values",
            "next_wait",
            "refusals",
            "start_data",
            "start_roles",
        ],
        ["HostDisagrees", "HostMachine", "Observation"],
    ) == (strategies.__all__, host.__all__)
