"""A game: people take seats in a scenario and decide there, by function calls, while the agents decide the rest.

How the model waits for a person. A seat's decision is asked deep inside a round — at a meeting, in a session of the
talks, at home — and the round must stop there until the person answers, without ``input()``. A game *replays*: it
runs the model from its start (the same scenario and seed: the same draws), answering each question with the choices
made so far; when a question comes that has no answer yet, the round stops there (an exception unwinds it) and the
question is shown (:attr:`Game.pending`). :meth:`Game.decide` adds the choice and replays to the next question.

So a game is a function of its scenario, seed, length and choices. Only the model's own code runs, in one thread,
and nothing of a stopped round is kept: the same choices give the same game, and changing one choice and replaying
is the counterfactual (:meth:`Game.counterfactual`), the agents' draws kept. The price is a replay per decision,
which a scenario short enough to play by hand makes small; a script that decides everything (:meth:`Game.play` with
a policy) is answered as the model asks, in one run. The alternatives were a thread that holds the model while it
waits, which keeps a half-played round alive between calls and a thread to end, and generators threaded through
every procedure, which would turn every decision method into one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sim.model import schema
from sim.model.agents.mesa_model import NegotiationModel
from sim.model.agents.seat import RULES, Minute, Option, Question, Seat, Seats, parse_seats
from sim.model.agents.seat_view import SeatView, view_of
from sim.model.errors import ScenarioError, one_of
from sim.model.record.result import RunResult
from sim.model.scenario.specs import ScenarioSpec

Policy = Callable[[Question], "str | Option"]


@dataclass(frozen=True)
class Decision:
    """A seat's decision: the question, the choice (an option's key, or :data:`~sim.model.agents.seat.RULES`), and
    what the rules would have chosen."""

    question: Question
    choice: str
    rule: str

    @property
    def taken(self) -> str:
        """The option taken."""
        return self.rule if self.choice == RULES else self.choice

    @property
    def departed(self) -> bool:
        """Whether the seat chose otherwise than the rules would have."""
        return self.taken != self.rule


class _Waiting(Exception):
    """A question with no answer yet: the round stops here."""

    def __init__(self, question: Question, rule: str):
        super().__init__(question.prompt)
        self.question, self.rule = question, rule


class Game:
    """A scenario played for ``rounds`` rounds with people in ``seat`` (a country, ``country.ministry``, or a list of
    them), the agents deciding everything else by the same rules and draws as ``simulate(scenario, seed=seed)``.

    ``game.pending`` is the decision asked now (a :class:`~sim.model.agents.seat.Question`: what is asked, what each
    choice means, what the seat can know), None once the game is over; ``game.decide(choice)`` answers it;
    ``game.play(policy)`` answers every decision left with ``policy(question)``; ``game.result()`` gives the tables.
    Answering every decision with ``"rules"`` plays exactly ``simulate``'s run.
    """

    def __init__(self, scenario: ScenarioSpec | Mapping, seat: str | Sequence[str], *, seed: int, rounds: int):
        if isinstance(scenario, Mapping):
            scenario = ScenarioSpec.from_dict(scenario)
        if not isinstance(scenario, ScenarioSpec):
            raise ScenarioError(
                "scenario", scenario, "a ScenarioSpec or a mapping (load a name with sim.load_scenario)"
            )
        self.scenario = scenario
        self.seats = parse_seats(scenario, seat)
        self.seed = schema.integer(seed, "seed", 0)
        self.rounds = schema.integer(rounds, "rounds", 1)
        self._decisions: list[Decision] = []
        self._model: NegotiationModel | None = None
        self._waiting: _Waiting | None = None

    def __repr__(self) -> str:
        state = "over" if self.over else f"round {self._model.round} of {self.rounds}"
        seats = ", ".join(s.name for s in self.seats)
        return f"Game({self.scenario.name}, seat {seats}, seed {self.seed}: {state}, {len(self._decisions)} decisions)"

    # Playing -----------------------------------------------------------------------------------------------------

    def play_until_decision(self) -> Question | None:
        """Play on to the next decision a seat must take and return it; None once the game is over."""
        if self._model is None:
            self._replay()
        return self._waiting.question if self._waiting else None

    @property
    def pending(self) -> Question | None:
        """The decision asked now (:meth:`play_until_decision`)."""
        return self.play_until_decision()

    @property
    def over(self) -> bool:
        return self.play_until_decision() is None

    def decide(self, choice: str | Option) -> Question | None:
        """Answer the pending decision with ``choice`` (an option's key, the option, or ``"rules"``), and play on to
        the next one (returned; None once the game is over)."""
        question = self.play_until_decision()
        if question is None:
            raise ScenarioError("decide", choice, "no choice: the game is over (see game.result())")
        self._decisions.append(Decision(question, question.choose(choice), self._waiting.rule))
        self._replay()
        return self.pending

    def play(self, policy: Policy | None = None) -> RunResult:
        """Play to the end, each decision left answered by ``policy(question)`` (an option's key or the option;
        None: as the rules would); return the result."""
        if self.play_until_decision() is not None:
            self._replay(policy or (lambda _: RULES))
        return self.result()

    def _replay(self, policy: Policy | None = None) -> None:
        """Run the game from its start, with the decisions so far and then ``policy``'s; without a policy, stop at
        the first question left."""
        recorded = iter(list(self._decisions))

        def answer(question: Question, rule: str) -> str:
            decision = next(recorded, None)
            if decision is not None:
                if decision.question.key != question.key:  # the model is deterministic: this is a bug
                    raise RuntimeError(f"the replay asked {question.key}, the game had {decision.question.key}")
                return decision.choice
            if policy is None:
                raise _Waiting(question, rule)
            decision = Decision(question, question.choose(policy(question)), rule)
            self._decisions.append(decision)
            return decision.choice

        model = NegotiationModel(self.scenario, rng=self.seed, seats=Seats(self.seats, answer, self.rounds))
        self._model, self._waiting = model, None
        try:
            while model.round < self.rounds:
                model.step()
        except _Waiting as waiting:
            self._waiting = waiting

    # Reading -----------------------------------------------------------------------------------------------------

    @property
    def decisions(self) -> tuple[Decision, ...]:
        """The seats' decisions so far, in order."""
        return tuple(self._decisions)

    @property
    def minutes(self) -> tuple[Minute, ...]:
        """Every decision taken so far, the agents' and the seats': the debrief's record (the seats see only what
        their :attr:`view` shows)."""
        self.play_until_decision()
        return tuple(self._model.seats.minutes)

    @property
    def model(self) -> NegotiationModel:
        """The model as it stands (stopped at the pending decision, or at the end)."""
        self.play_until_decision()
        return self._model

    def view(self, seat: str | None = None) -> SeatView:
        """What ``seat`` (by default the first) can know now."""
        question = self.play_until_decision()
        chosen = self._seat(seat)
        if question is not None and question.seat == chosen.name:
            return question.view
        now = (question.round, question.meeting, question.about, question.ask) if question else None
        return view_of(self._model, chosen, self._model.seats.minutes, self.rounds, now)

    def view_at_start(self, seat: str | None = None) -> SeatView:
        """What ``seat`` (by default the first) knows before the first round: its brief."""
        chosen = self._seat(seat)
        model = NegotiationModel(self.scenario, rng=self.seed, seats=Seats(self.seats, None, self.rounds))
        return view_of(model, chosen, (), self.rounds)

    def result(self) -> RunResult:
        """Everything recorded so far (all of the game once it is over), as tables."""
        return self.model.result()

    def _seat(self, name: str | None) -> Seat:
        """The game's seat ``name`` (None: the first)."""
        names = [s.name for s in self.seats]
        if name is not None and name not in names:
            raise ScenarioError("seat", name, one_of(names, name))
        return self.seats[names.index(name) if name else 0]

    # Replaying with a decision changed ---------------------------------------------------------------------------

    def counterfactual(self, index: int, choice: str | Option) -> Game:
        """The same game — the same scenario and seed, so the same draws — with the seat's decision ``index`` (in
        :attr:`decisions`) answered ``choice`` instead, played to the end. The decisions before it stand; a question
        asked again later is answered as it was, if that choice is still open, and a question that is new as the
        rules would."""
        decisions = self.decisions
        if not (isinstance(index, int) and 0 <= index < len(decisions)):
            raise ScenarioError("decision", index, f"a decision's number, 0 to {len(decisions) - 1}")
        changed = decisions[index]
        later = {d.question.key: d.choice for d in decisions[index + 1 :]}
        game = Game(self.scenario, [s.name for s in self.seats], seed=self.seed, rounds=self.rounds)
        game._decisions = [
            *decisions[:index],
            Decision(changed.question, changed.question.choose(choice), changed.rule),
        ]

        def as_before(question: Question) -> str:
            choice = later.get(question.key, RULES)
            return choice if question.allows(choice) else RULES

        game.play(as_before)
        return game
