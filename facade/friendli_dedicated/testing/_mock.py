"""``mock_friendli``: every client built inside talks to an emulator, in-process, on emulated time.

Like moto's ``mock_aws``: the code under test builds ``fd.Client()`` itself, with its token and
base URL from the environment as in production, and needs no change. Inside the block (or the
decorated function), every ``Client`` and ``AsyncClient`` built without an explicit ``base_url`` or
``http_client`` is wired to the emulator without sockets, with the emulator's token and team. On
a ``ManualClock`` (the default) those clients also take the emulator's clock and its sleep, which
advances that clock (stopping at the next state change), so waiting for a 30-minute deployment
takes milliseconds. Outside every block nothing is patched, and everything is restored on exit,
even after an exception.

No request leaves while a block is active: a client built before it (at import time, say) with
the real API's base URL refuses to send (``UnmockedClientError``, naming the client). Clients on
a loopback base URL, or with an ``http_client`` of the caller's, are left alone: their requests go
where the caller said.

Threads and tasks (the rules are ``friendli_dedicated._redirect``'s): a client is built for the
innermost block of its thread or asyncio task (a task inherits its creator's blocks); blocks nest.
A thread with no block of its own (a worker started inside one) uses the block that is active, if
all active blocks are on one emulator; if blocks on different emulators are active at once (two
tests in two threads), such a client is refused with ``AmbiguousMockError`` instead of a guess.

What the decorator covers, so that no code it wraps runs outside the block:

- a function or coroutine function: each call, to its return (a generator, coroutine or async
  generator it returns is covered too);
- a generator or async generator function (a pytest yield fixture): every step of it, setup and
  teardown, on one emulator per call; not the code that runs while it is suspended at a ``yield``
  (to keep a test inside too, ``with mock_friendli(): yield``, or the ``friendli_mock`` fixture);
- a ``staticmethod`` or ``classmethod`` object: its function, the descriptor kept;
- a class: every method a test runner calls, inherited ones included (``test*``; ``setUp``,
  ``tearDown``, ``asyncSetUp``, ``asyncTearDown``, ``setUpClass``, ``tearDownClass``, cleanups
  and ``run`` of a ``unittest.TestCase``; pytest's ``setup_method``/``setup_class`` and their
  teardowns, and fixtures defined in the class), static and class methods kept as such. One
  emulator serves the class (each subclass its own): what ``setUpClass`` creates, the tests see.

Anything else (a non-callable, a descriptor it cannot rebuild) is refused with a ``TypeError``.
"""

from __future__ import annotations

import functools
import inspect
import threading
import unittest
import weakref
from collections.abc import AsyncGenerator, Callable, Coroutine, Generator
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, cast

from friendli_dedicated import _redirect
from friendli_dedicated._redirect import AmbiguousMockError, UnmockedClientError

if TYPE_CHECKING:
    from friendli_dedicated.emulator import Emulator

__all__ = ["AmbiguousMockError", "UnmockedClientError", "current_emulator", "mock_friendli"]

F = TypeVar("F")
Pick = Callable[[tuple[Any, ...]], "Emulator"]
"""Which emulator a call of a wrapped function runs on, from its arguments."""

_COVERED = "__friendli_mock_original__"  # on every wrapper: the function it wraps
# The methods a test runner calls besides the test* ones (unittest's, then pytest's xunit hooks).
_UNITTEST_HOOKS = frozenset(
    {
        "run",
        "debug",
        "setUp",
        "tearDown",
        "asyncSetUp",
        "asyncTearDown",
        "doCleanups",
        "setUpClass",
        "tearDownClass",
        "doClassCleanups",
    }
)
_XUNIT_HOOKS = frozenset({"setup_method", "teardown_method", "setup_class", "teardown_class"})


def current_emulator() -> Emulator:
    """The emulator of the ``mock_friendli`` block in force here (for code decorated with it).

    RuntimeError outside every block; ``AmbiguousMockError`` in a thread without a block of its own
    while blocks on different emulators are active elsewhere.

    >>> with mock_friendli() as emu:
    ...     current_emulator() is emu
    True
    """
    redirect = _redirect.current("current_emulator()")
    if redirect is None:
        raise RuntimeError("no mock_friendli block is active")
    return cast("Emulator", redirect.owner)


class mock_friendli:  # used like a function: `with mock_friendli() as emu`, `@mock_friendli()`
    """Route every client built inside to ``emulator`` (default: a fresh one on a ``ManualClock``).

    As a context manager it yields the emulator; as a decorator of a function, a coroutine,
    generator or async generator function, a static or class method, or a test class (see the
    module's docstring for what each covers), ``current_emulator()`` gives the emulator. Without an
    emulator, each call of a decorated function gets a fresh one, and a decorated class one for all
    its tests.

    >>> import friendli_dedicated as fd
    >>> with mock_friendli() as emu:
    ...     client = fd.Client()  # no token, no base URL: the emulator's, in-process
    ...     ep = client.endpoints.create("proj", "chat", "org/model", "H100")
    ...     print(ep.wait_until_running(timeout=1800).state.status.value, len(emu.endpoint_ids()))
    RUNNING 1
    """

    def __init__(self, emulator: Emulator | None = None) -> None:
        given: object = emulator
        if given is not None:
            from friendli_dedicated.emulator import Emulator

            if not isinstance(given, Emulator):
                from friendli_dedicated.errors import InvalidInputError

                raise InvalidInputError("emulator", f"must be an Emulator or None, got {type(given).__name__}")
        self._emulator = emulator
        self._lock = threading.Lock()
        self._entered: list[_redirect.Frame] = []

    def __enter__(self) -> Emulator:
        emulator = self._emulator if self._emulator is not None else _fresh_emulator()
        frame = _redirect.enter(_redirect_to(emulator))
        with self._lock:
            self._entered.append(frame)
        return cast("Emulator", frame.redirect.owner)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        here = _redirect.innermost()
        with self._lock:
            if not self._entered:
                raise RuntimeError("mock_friendli: __exit__ without __enter__")
            # The frame this context entered; else (left from another task, as an async fixture's
            # teardown does) the latest.
            frame = next((f for f in self._entered if f is here), self._entered[-1])
            self._entered.remove(frame)
        _redirect.leave(frame)

    def __call__(self, target: F) -> F:
        if isinstance(target, type):
            return cast(F, _decorate_class(target, self._emulator))
        pick = self._per_call
        if isinstance(target, staticmethod | classmethod):
            return cast(F, type(target)(_wrap(target.__func__, pick)))
        fixture = _rebuilt_fixture(target, pick)
        if fixture is not None:
            return cast(F, fixture)
        if not callable(target):
            raise TypeError(
                "mock_friendli() decorates functions, coroutine, generator and async generator functions, "
                f"staticmethod and classmethod objects, and classes; got {_named(target)}"
            )
        return cast(F, _wrap(target, pick))

    def _per_call(self, args: tuple[Any, ...]) -> Emulator:
        return self._emulator if self._emulator is not None else _fresh_emulator()


# -- wrapping ---------------------------------------------------------------------------------------
def _wrap(function: Callable[..., Any], pick: Pick) -> Callable[..., Any]:
    """``function`` with every step of its body inside a block on ``pick(args)`` (one emulator per call)."""
    original = getattr(function, _COVERED, function)  # decorated again: the newest decorator decides
    wrapper: Callable[..., Any]
    if inspect.isasyncgenfunction(original):
        wrapper = _async_generator_wrapper(original, pick)
    elif inspect.isgeneratorfunction(original):

        @functools.wraps(original)
        def run_generator(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
            return (yield from _stepped(original(*args, **kwargs), pick(args)))

        wrapper = run_generator
    elif inspect.iscoroutinefunction(original):

        @functools.wraps(original)
        async def run_coroutine(*args: Any, **kwargs: Any) -> Any:
            with mock_friendli(pick(args)):
                return await original(*args, **kwargs)

        wrapper = run_coroutine
    else:

        @functools.wraps(original)
        def run(*args: Any, **kwargs: Any) -> Any:
            emulator = pick(args)
            with mock_friendli(emulator):
                result = original(*args, **kwargs)
            return _covered(result, emulator)

        wrapper = run
    setattr(wrapper, _COVERED, original)
    return wrapper


def _covered(result: Any, emulator: Emulator) -> Any:
    """What a plain function returned; a generator, coroutine or async generator then runs in blocks too."""
    if inspect.isgenerator(result):
        return _stepped(result, emulator)
    if inspect.iscoroutine(result):
        return _awaited(result, emulator)
    if inspect.isasyncgen(result):
        return _async_generator_wrapper(lambda *args, **kwargs: result, lambda args: emulator)()
    return result


async def _awaited(coroutine: Coroutine[Any, Any, Any], emulator: Emulator) -> Any:
    with mock_friendli(emulator):
        return await coroutine


def _stepped(generator: Generator[Any, Any, Any], emulator: Emulator) -> Generator[Any, Any, Any]:
    """Drive ``generator`` as ``yield from`` would, each step inside a block on ``emulator``."""
    block = mock_friendli(emulator)
    sent: Any = None
    thrown: BaseException | None = None
    while True:
        try:
            with block:
                item = generator.send(sent) if thrown is None else generator.throw(thrown)
        except StopIteration as stop:
            return stop.value
        sent, thrown = None, None
        try:
            sent = yield item
        except GeneratorExit:
            with block:
                generator.close()
            raise
        except BaseException as exc:  # thrown in by the consumer (pytest: a test's failure): passed on
            thrown = exc


def _async_generator_wrapper(original: Callable[..., Any], pick: Pick) -> Callable[..., AsyncGenerator[Any, Any]]:
    # The wrapper must itself be an async generator function (pytest-asyncio tells fixtures apart by
    # that), and async generators cannot delegate with `yield from`: hence the loop of _stepped, again.
    @functools.wraps(original)
    async def run_async_generator(*args: Any, **kwargs: Any) -> AsyncGenerator[Any, Any]:
        generator = original(*args, **kwargs)
        block = mock_friendli(pick(args))
        sent: Any = None
        thrown: BaseException | None = None
        while True:
            try:
                with block:
                    item = await (generator.asend(sent) if thrown is None else generator.athrow(thrown))
            except StopAsyncIteration:
                return
            sent, thrown = None, None
            try:
                sent = yield item
            except GeneratorExit:
                with block:
                    await generator.aclose()
                raise
            except BaseException as exc:
                thrown = exc

    return run_async_generator


# -- classes ----------------------------------------------------------------------------------------
def _decorate_class(cls: type, emulator: Emulator | None) -> type:
    """Wrap, on ``cls``, every method a test runner calls, wherever in its bases it is defined."""
    pick = _ClassEmulators(cls, emulator)
    is_case = issubclass(cls, unittest.TestCase)
    prefix = unittest.TestLoader.testMethodPrefix
    names = {name for klass in cls.__mro__ if klass is not object for name in vars(klass)}
    for name in sorted(names):
        member = inspect.getattr_static(cls, name)
        called = name.startswith(prefix) or name in _XUNIT_HOOKS or (is_case and name in _UNITTEST_HOOKS)
        if not called and not _is_fixture(member):
            continue
        covered = _covered_member(cls, name, member, pick)
        if covered is not None:
            setattr(cls, name, covered)
    return cls


def _covered_member(cls: type, name: str, member: object, pick: _ClassEmulators) -> object | None:
    """``member`` of ``cls`` wrapped, its kind kept; None when it is nothing a runner would call."""
    if isinstance(member, staticmethod):
        return staticmethod(_hook(name, member.__func__, pick.for_class))
    if isinstance(member, classmethod):
        return classmethod(_hook(name, member.__func__, pick.for_owner))
    fixture = _rebuilt_fixture(member, pick.for_owner)
    if fixture is not None:
        return fixture
    if inspect.isfunction(member):
        return _hook(name, member, pick.for_owner)
    if not callable(getattr(cls, name)):
        return None  # a constant or property named test*: no runner calls it
    if not hasattr(type(member), "__get__"):
        return staticmethod(_wrap(cast("Callable[..., Any]", member), pick.for_class))  # a callable object: not bound
    raise TypeError(
        f"mock_friendli() cannot cover {cls.__qualname__}.{name}, {_named(member)}: it is neither a function nor "
        "a staticmethod or classmethod; make it one, or leave the class undecorated and use mock_friendli inside"
    )


def _hook(name: str, function: Callable[..., Any], pick: Pick) -> Callable[..., Any]:
    """``_wrap``; for pytest's xunit hooks, with their positional parameters: pytest passes
    ``setup_method`` its method, ``setup_class`` its class, only if their code takes them."""
    wrapper = _wrap(function, pick)
    code = getattr(getattr(wrapper, _COVERED), "__code__", None)
    if name not in _XUNIT_HOOKS or code is None or code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS):
        return wrapper
    hook: Callable[..., Any]
    if code.co_argcount == 0:

        def hook() -> Any:
            return wrapper()

    elif code.co_argcount == 1:

        def hook(first: Any) -> Any:
            return wrapper(first)

    elif code.co_argcount == 2:

        def hook(first: Any, second: Any) -> Any:
            return wrapper(first, second)

    else:
        return wrapper
    functools.update_wrapper(hook, wrapper)
    setattr(hook, _COVERED, getattr(wrapper, _COVERED))
    return hook


class _ClassEmulators:
    """The emulator of a decorated class: the one given, else one per class (a subclass its own)."""

    def __init__(self, cls: type, emulator: Emulator | None) -> None:
        self._cls = cls
        self._given = emulator
        self._lock = threading.Lock()
        self._made: weakref.WeakKeyDictionary[type, Emulator] = weakref.WeakKeyDictionary()

    def of(self, cls: type) -> Emulator:
        if self._given is not None:
            return self._given
        with self._lock:
            emulator = self._made.get(cls)
            if emulator is None:
                emulator = self._made[cls] = _fresh_emulator()
            return emulator

    def for_owner(self, args: tuple[Any, ...]) -> Emulator:
        """A method's (``self``) or class method's (``cls``) class."""
        owner = args[0] if args else self._cls
        return self.of(owner if isinstance(owner, type) else type(owner))

    def for_class(self, args: tuple[Any, ...]) -> Emulator:
        """A static method's: the decorated class's."""
        return self.of(self._cls)


# -- pytest fixtures --------------------------------------------------------------------------------
def _is_fixture(member: object) -> bool:
    return any(
        getattr(member, mark, None) is not None for mark in ("_fixture_function_marker", "_pytestfixturefunction")
    )


def _rebuilt_fixture(member: object, pick: Pick) -> object | None:
    """A pytest fixture made again around its wrapped function; None if ``member`` is not one.

    Wrapping the fixture object itself would hide the wrapper from pytest: its function is wrapped,
    and the fixture rebuilt by its own marker (pytest 8.4 on). A fixture of an older pytest is
    refused: pytest would call the function it wraps, around the wrapper.
    """
    if not _is_fixture(member):
        return None
    marker = getattr(member, "_fixture_function_marker", None)
    function = getattr(member, "_get_wrapped_function", None)
    if not callable(marker) or not callable(function):
        raise TypeError(
            f"mock_friendli() cannot cover the pytest fixture {_named(member)} with this pytest version: put "
            "@pytest.fixture above @mock_friendli() on its function, or request the friendli_mock fixture"
        )
    rebuilt: object = marker(_wrap(function(), pick))
    return rebuilt


def _named(value: object) -> str:
    name = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
    return f"{type(value).__name__} {name!r}" if isinstance(name, str) else type(value).__name__


# -- the emulator and its redirect -------------------------------------------------------------------
def _fresh_emulator() -> Emulator:
    from friendli_dedicated.emulator import Emulator, ManualClock

    return Emulator(clock=ManualClock())


def _redirect_to(emulator: Emulator) -> _redirect.Redirect:
    from friendli_dedicated.emulator import ManualClock
    from friendli_dedicated.emulator._inprocess import BASE_URL

    token, team = emulator.default_credentials()
    manual = isinstance(emulator.clock, ManualClock)
    return _redirect.Redirect(
        token=token,
        team_id=team,
        base_url=BASE_URL,
        transport=emulator.transport,
        clock=emulator.clock if manual else None,
        sleep=emulator.sleep if manual else None,
        async_sleep=emulator.async_sleep if manual else None,
        owner=emulator,
    )
