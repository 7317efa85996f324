"""A procedure as a person reads it: each step with who acts, what they say and what comes next.

Built from the compiled IR (so policies and ladders appear as they run) as
rich renderables; rich wraps them to the terminal and drops colour when the
output is piped, so the same view serves a desk screen and a printed page.
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from sopflow.compile import Procedure, StateIR, WayIR
from sopflow.model import LEVEL_SEPARATOR, Citation
from sopflow.render.text import OUTCOME_STYLE, duration, pick, quoted, role_title, value_text, when


class _View:
    def __init__(self, procedure: Procedure, lang: str) -> None:
        self.p = procedure
        self.lang = lang
        self.langs = procedure.languages

    def text(self, value: dict[str, str] | None) -> str | None:
        return pick(value, self.lang, self.langs)

    def role(self, role: str | None) -> str:
        return role_title(self.p.roles, role, self.lang, self.langs)

    def roles(self, way: WayIR) -> str:
        return ", ".join(self.role(r) for r in sorted(way.roles)) if way.roles else "anyone"

    def target(self, state: StateIR, name: str, internal: bool) -> str:
        if internal:
            return "[dim]stays here[/]"
        spec = self.p.ir.states[name]
        label = name.split(LEVEL_SEPARATOR)[0]
        if spec.final is not None:
            colour = OUTCOME_STYLE.get(spec.final, "white")
            return f"[bold]{label}[/] [{colour}](ends: {spec.final})[/]"
        return f"[bold]{label}[/]"

    def way(self, state: StateIR, way: WayIR) -> Iterator[str]:
        """One line per way out; guarded branches get one line each."""
        title = self.text(way.title)
        head = f"[cyan]{way.name}[/]" + (f" — {escape(title)}" if title else "")
        if way.kind in ("event", "policy"):
            head += f" [dim]({escape(self.roles(way))})[/]"
        needs = [f for f, required in way.data if required]
        may = [f for f, required in way.data if not required]
        if needs:
            head += f" needs {', '.join(needs)}"
        if may:
            head += f"{';' if needs else ''} may add {', '.join(may)}"
        if way.call is not None:
            head += f", calls [bold]{way.call.procedure}[/]"
        if way.kind == "timer":
            head = f"{when(way.delay, way.wait)}: {head}"
        if len(way.branches) == 1:
            only = way.branches[0]
            guard = f" if {escape(only.guard_text)}" if only.guard_text else ""  # refused when it does not hold
            yield f"{head}{guard} → {self.target(state, only.target, only.internal)}"
            return
        yield head
        for b in way.branches:
            guard = f"if {escape(b.guard_text)}" if b.guard_text else "otherwise"
            yield f"  {guard} → {self.target(state, b.target, b.internal)}"

    def header(self) -> RenderableType:
        p = self.p
        grid = _grid()
        grid.add_row("Id", f"{p.id} v{p.version}")
        if p.source:
            grid.add_row("Source", escape(_cite(p.source)))
        grid.add_row("Languages", ", ".join(p.languages))
        grid.add_row("Roles", ", ".join(f"{escape(self.role(r))} ({r})" for r in p.roles))
        outcomes = ", ".join(f"[{OUTCOME_STYLE.get(o, 'white')}]{o}[/]" for o in sorted(p.outcomes))
        grid.add_row("Starts", f"[bold]{p.initial.split(LEVEL_SEPARATOR)[0]}[/]; ends {outcomes}")
        fields = []
        for name, spec in p.fields.items():
            notes = [spec.type] + (["private"] if spec.private else [])
            if spec.default not in (None, [], ""):
                # The view's own words are English in every language, so are its values' words.
                notes.append(f"default {value_text(spec.default)}")
            fields.append(f"{name} [dim]({', '.join(notes)})[/]")
        if fields:
            grid.add_row("Data", escape_keep(", ".join(fields)))
        for i, promise in enumerate(p.ir.promises):
            title = self.text(promise.title)
            kept = ", ".join(sorted({k.split(LEVEL_SEPARATOR)[0] for k in promise.kept}))
            line = f"{promise.name}: {promise.wait}, kept by reaching {kept}" + (f" — {title}" if title else "")
            grid.add_row("Promises" if i == 0 else "", escape(line))
        for i, rule in enumerate(p.ir.rules):
            grid.add_row("Rules" if i == 0 else "", escape(self.text(rule.text) or rule.name))
        title = escape(self.text(p.title) or p.id)
        return Group(Text.from_markup(f"[bold]{title}[/]"), grid)

    def state(self, number: int, base: str, levels: list[StateIR]) -> RenderableType:
        first = levels[0]
        grid = _grid()
        ladder = len(levels) > 1 or first.name != first.base
        title = self.text(first.title)
        if title:
            grid.add_row("Step", escape(title))
        if ladder:
            for i, level in enumerate(levels, 1):
                timer = next((t for t in level.timers if t.name == self.ladder_name(base)), None)
                within = f" for {duration(timer.delay)}" if timer and timer.delay is not None else ""
                say = self.text(level.say)
                line = f"{i}. {escape(self.role(level.role))}{within}" + (f": {escape(quoted(say))}" if say else "")
                grid.add_row("Ladder" if i == 1 else "", line)
        else:
            for part in ("say", "do"):
                value = self.text(getattr(first, part))
                if value:
                    grid.add_row(part.capitalize(), escape(quoted(value)) if part == "say" else escape(value))
        for i, tip in enumerate(first.tips):
            # The glossary says what each tip is about; a library without one shows the bare id.
            shared = self.p.tips.get(tip)
            title = self.text(shared.title) if shared is not None else None
            grid.add_row("Tips" if i == 0 else "", escape(f"{tip} · {title}" if title else tip))
        for i, item in enumerate(first.checklist):
            optional = "" if item.required else " [dim](optional)[/]"
            grid.add_row("Checklist" if i == 0 else "", f"☐ {escape(self.text(item.text) or item.name)}{optional}")
        if first.requires:
            grid.add_row("Requires", ", ".join(first.requires))
        if first.call is not None:
            call = first.call
            grid.add_row("Calls", f"[bold]{call.procedure}[/]")
            for outcome, target in call.outcomes.items():
                to = self.target(first, target or first.name, target is None)
                grid.add_row("", f"{outcome} → {to}")
        rows = [line for w in first.events.values() if w.kind == "event" for line in self.way(first, w)]
        timers = [t for t in first.timers if not (ladder and t.name == self.ladder_name(base))]
        rows += [line for t in timers for line in self.way(first, t)]
        for i, line in enumerate(rows):
            grid.add_row("Next" if i == 0 else "", line)
        if first.final is not None:
            colour = OUTCOME_STYLE.get(first.final, "white")
            grid.add_row("Ends", f"[{colour}]{first.final}[/]")
        if first.source:
            grid.add_row("Source", f"[dim]{escape(_cite(first.source))}[/]")
        who = "" if first.final is not None else f" · {escape(self.role(first.role))}"
        heading = f"[bold]{number}. {base}[/]{who}"
        return Group(Rule(Text.from_markup(heading), align="left", style="dim"), grid)

    def ladder_name(self, base: str) -> str:
        return self.p.resolved.states[base].ladder or ""

    def policies(self) -> RenderableType | None:
        seen: dict[str, tuple[StateIR, WayIR]] = {}
        for state in self.p.ir.states.values():
            for name, way in state.events.items():
                if way.kind == "policy":
                    seen.setdefault(name, (state, way))
        if not seen:
            return None
        grid = _grid()
        for i, (state, way) in enumerate(seen.values()):
            for j, line in enumerate(self.way(state, way)):
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


def _cite(source: Citation) -> str:
    return " · ".join(x for x in (source.document, source.section, source.lines and f"lines {source.lines}") if x)


def procedure_view(procedure: Procedure, lang: str | None = None) -> RenderableType:
    """The whole procedure, step by step, in ``lang`` (default: its first language)."""
    view = _View(procedure, lang or procedure.languages[0])
    by_base: dict[str, list[StateIR]] = {}
    for state in procedure.ir.states.values():
        by_base.setdefault(state.base, []).append(state)
    parts: list[RenderableType] = [view.header(), Text("")]
    for number, (base, levels) in enumerate(by_base.items(), 1):
        parts += [view.state(number, base, levels), Text("")]
    policies = view.policies()
    if policies is not None:
        parts.append(policies)
    return Group(*parts)
