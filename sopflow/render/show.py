"""A procedure as a person reads it: each step with who acts, what they say and what comes next.

Rendered from the procedure's :mod:`~sopflow.render.outline` (so policies and ladders
appear as they run, and the handbook shows the same steps) as rich renderables; rich
wraps them to the terminal and drops colour when the output is piped, so the same view
serves a desk screen and a printed page.
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from sopflow.compile import Procedure
from sopflow.model import Citation
from sopflow.render.outline import Outline, PropertyLine, StepLine, Target, WayLine, outline
from sopflow.render.text import OUTCOME_STYLE, duration, quoted, value_text, when


class _View:
    def __init__(self, outline: Outline) -> None:
        self.o = outline

    def roles(self, way: WayLine) -> str:
        return ", ".join(self.o.role(r) for r in way.roles) if way.roles else "anyone"

    def target(self, target: Target) -> str:
        if target.internal:
            return "[dim]stays here[/]"
        if target.outcome is not None:
            colour = OUTCOME_STYLE.get(target.outcome, "white")
            return f"[bold]{target.state}[/] [{colour}](ends: {target.outcome})[/]"
        return f"[bold]{target.state}[/]"

    def way(self, way: WayLine) -> Iterator[str]:
        """One line per way out; guarded branches get one line each."""
        head = f"[cyan]{way.name}[/]" + (f" — {escape(way.title)}" if way.title else "")
        if way.kind in ("event", "policy"):
            head += f" [dim]({escape(self.roles(way))})[/]"
        if way.needs:
            head += f" needs {', '.join(way.needs)}"
        if way.may:
            head += f"{';' if way.needs else ''} may add {', '.join(way.may)}"
        if way.calls is not None:
            head += f", calls [bold]{way.calls}[/]"
        if way.kind == "timer":
            head = f"{when(way.delay, way.wait)}: {head}"
        if len(way.branches) == 1:
            only = way.branches[0]
            guard = f" if {escape(only.guard)}" if only.guard else ""  # refused when it does not hold
            yield f"{head}{guard} → {self.target(only.target)}"
            return
        yield head
        for b in way.branches:
            guard = f"if {escape(b.guard)}" if b.guard else "otherwise"
            yield f"  {guard} → {self.target(b.target)}"

    def header(self) -> RenderableType:
        o, p = self.o, self.o.procedure
        grid = _grid()
        grid.add_row("Id", f"{p.id} v{p.version}")
        if p.source:
            grid.add_row("Source", escape(_cite(p.source)))
        grid.add_row("Languages", ", ".join(p.languages))
        grid.add_row("Roles", ", ".join(f"{escape(title)} ({r})" for r, title in o.roles))
        outcomes = ", ".join(f"[{OUTCOME_STYLE.get(x, 'white')}]{x}[/]" for x in sorted(p.outcomes))
        grid.add_row("Starts", f"[bold]{o.initial}[/]; ends {outcomes}")
        fields = []
        for spec in o.fields:
            notes = [spec.type] + (["private"] if spec.private else [])
            if spec.default not in (None, [], ""):
                # The view's own words are English in every language, so are its values' words.
                notes.append(f"default {value_text(spec.default)}")
            fields.append(f"{spec.name} [dim]({', '.join(notes)})[/]")
        if fields:
            grid.add_row("Data", escape_keep(", ".join(fields)))
        for i, promise in enumerate(o.promises):
            kept = ", ".join(promise.kept)
            title = promise.title
            line = f"{promise.name}: {promise.wait}, kept by reaching {kept}" + (f" — {title}" if title else "")
            grid.add_row("Promises" if i == 0 else "", escape(line))
        for i, rule in enumerate(o.rules):
            grid.add_row("Rules" if i == 0 else "", escape(rule.text or rule.name))
        for i, prop in enumerate(o.properties):
            # The author's words in the chosen language, then what the explorer checks.
            said = f"{escape(prop.text)} [dim]({escape(_pattern(prop))})[/]" if prop.text else escape(_pattern(prop))
            grid.add_row("Properties" if i == 0 else "", said)
        for i, (name, expression) in enumerate(o.invariants):
            grid.add_row("Invariants" if i == 0 else "", escape(f"{name}: {expression}"))
        title = escape(o.title or p.id)
        return Group(Text.from_markup(f"[bold]{title}[/]"), grid)

    def state(self, step: StepLine) -> RenderableType:
        grid = _grid()
        if step.title:
            grid.add_row("Step", escape(step.title))
        for i, level in enumerate(step.ladder, 1):
            within = f" for {duration(level.delay)}" if level.delay is not None else ""
            say = f": {escape(quoted(level.say))}" if level.say else ""
            grid.add_row("Ladder" if i == 1 else "", f"{i}. {escape(self.o.role(level.role))}{within}{say}")
        if step.say:
            grid.add_row("Say", escape(quoted(step.say)))
        if step.do:
            grid.add_row("Do", escape(step.do))
        for i, tip in enumerate(step.tips):
            # The glossary says what each tip is about; a library without one shows the bare id.
            grid.add_row("Tips" if i == 0 else "", escape(f"{tip.id} · {tip.title}" if tip.title else tip.id))
        for i, item in enumerate(step.checklist):
            optional = "" if item.required else " [dim](optional)[/]"
            grid.add_row("Checklist" if i == 0 else "", f"☐ {escape(item.text)}{optional}")
        if step.requires:
            grid.add_row("Requires", ", ".join(step.requires))
        if step.call is not None:
            grid.add_row("Calls", f"[bold]{step.call.procedure}[/]")
            for outcome, target in step.call.outcomes:
                grid.add_row("", f"{outcome} → {self.target(target)}")
        rows = [line for w in step.next for line in self.way(w)]
        for i, line in enumerate(rows):
            grid.add_row("Next" if i == 0 else "", line)
        if step.final is not None:
            colour = OUTCOME_STYLE.get(step.final, "white")
            grid.add_row("Ends", f"[{colour}]{step.final}[/]")
        if step.source:
            grid.add_row("Source", f"[dim]{escape(_cite(step.source))}[/]")
        who = "" if step.final is not None else f" · {escape(self.o.role(step.role))}"
        heading = f"[bold]{step.number}. {step.base}[/]{who}"
        return Group(Rule(Text.from_markup(heading), align="left", style="dim"), grid)

    def policies(self) -> RenderableType | None:
        if not self.o.policies:
            return None
        grid = _grid()
        for i, way in enumerate(self.o.policies):
            for j, line in enumerate(self.way(way)):
                grid.add_row("Any time" if i == j == 0 else "", line)
        return Group(Rule(Text.from_markup("[bold]At any step[/] · policies"), align="left", style="dim"), grid)


def escape_keep(text: str) -> str:
    """Escape square brackets the user wrote but keep the ``[dim]`` markup added here."""
    return (
        text.replace("[dim]", "\0").replace("[/]", "\1").replace("[", "\\[").replace("\0", "[dim]").replace("\1", "[/]")
    )


def _grid() -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True, min_width=8)
    grid.add_column(overflow="fold")
    return grid


def _pattern(prop: PropertyLine) -> str:
    """What the explorer checks, in the view's English (the handbook says it in each language)."""
    said = [
        ("reaching " if o.reached else "") + o.name + (f" in {o.procedure}" if o.procedure else "")
        for o in prop.subjects
    ]
    if prop.pattern == "first":
        rule = f"{said[1]} only after {said[0]}"
    elif prop.pattern == "after":
        rule = f"once {said[0]}, always {said[1]} in the end"
    elif prop.pattern == "never":
        rule = f"never {said[0]}"
    elif prop.pattern == "always_available":
        rule = f"{said[0]} is possible at every step"
    else:
        rule = f"{said[0]} only by {', '.join(prop.roles)}"
    return rule if prop.condition is None else f"{rule} while {prop.condition}"


def _cite(source: Citation) -> str:
    return " · ".join(x for x in (source.document, source.section, source.lines and f"lines {source.lines}") if x)


def procedure_view(procedure: Procedure, lang: str | None = None) -> RenderableType:
    """The whole procedure, step by step, in ``lang`` (default: its first language)."""
    view = _View(outline(procedure, lang))
    parts: list[RenderableType] = [view.header(), Text("")]
    for step in view.o.steps:
        parts += [view.state(step), Text("")]
    policies = view.policies()
    if policies is not None:
        parts.append(policies)
    return Group(*parts)
