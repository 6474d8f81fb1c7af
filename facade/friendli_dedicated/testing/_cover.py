"""What ``mock_friendli`` covers as a decorator: every step of the body of whatever it wraps.

- a function or coroutine function: each call, to its return (a generator, coroutine or async
  generator it returns is covered too);
- a generator or async generator function (a pytest yield fixture): every step, setup and
  teardown, on one emulator per call; not what runs while it is suspended at a ``yield``;
- a ``staticmethod`` or ``classmethod`` object: its function, the descriptor kept;
- a class: every method a test runner calls, wherever in its bases it is defined (``test*``;
  ``run``, ``debug``, ``setUp``, ``tearDown``, ``asyncSetUp``, ``asyncTearDown``, ``setUpClass``,
  ``tearDownClass`` and the cleanups of a ``unittest.TestCase``; pytest's ``setup_method``,
  ``setup_class`` and their teardowns; pytest fixtures defined in it), each kept a static, class
  or plain method, on one emulator per class (each subclass its own);
- a pytest fixture (pytest 8.4 on): rebuilt around its wrapped function.

Anything else is refused with a ``TypeError`` naming it. A wrapper remembers the function it wraps
(``__friendli_mock_original__``): decorated again, the newest decorator decides.
"""

from __future__ import annotations

import functools
import inspect
import threading
import unittest
import weakref
from collections.abc import AsyncGenerator, Callable, Coroutine, Generator
from typing import TYPE_CHECKING, Any, cast

from friendli_dedicated.testing._block import Block, fresh_emulator

if TYPE_CHECKING:
    from friendli_dedicated.emulator import Emulator

__all__ = ["cover"]

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


def cover(target: object, emulator: Emulator | None) -> object:
    """``target`` with its body inside blocks on ``emulator`` (None: a fresh one per call, per class)."""
    if isinstance(target, type):
        return _decorate_class(target, emulator)

    def pick(args: tuple[Any, ...]) -> Emulator:
        return emulator if emulator is not None else fresh_emulator()

    if isinstance(target, staticmethod | classmethod):
        return type(target)(_wrap(target.__func__, pick))
    fixture = _rebuilt_fixture(target, pick)
    if fixture is not None:
        return fixture
    if not callable(target):
        raise TypeError(
            "mock_friendli() decorates functions, coroutine, generator and async generator functions, "
            f"staticmethod and classmethod objects, and classes; got {_named(target)}"
        )
    return _wrap(target, pick)


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
            with Block(pick(args)):
                return await original(*args, **kwargs)

        wrapper = run_coroutine
    else:

        @functools.wraps(original)
        def run(*args: Any, **kwargs: Any) -> Any:
            emulator = pick(args)
            with Block(emulator):
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
    with Block(emulator):
        return await coroutine


def _stepped(generator: Generator[Any, Any, Any], emulator: Emulator) -> Generator[Any, Any, Any]:
    """Drive ``generator`` as ``yield from`` would, each step inside a block on ``emulator``."""
    block = Block(emulator)
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
        block = Block(pick(args))
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
                emulator = self._made[cls] = fresh_emulator()
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
