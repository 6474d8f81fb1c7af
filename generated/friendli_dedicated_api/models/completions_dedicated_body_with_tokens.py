from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.response_format_json_object import ResponseFormatJsonObject
    from ..models.response_format_json_schema import ResponseFormatJsonSchema
    from ..models.response_format_regex import ResponseFormatRegex
    from ..models.response_format_text import ResponseFormatText
    from ..models.stream_options import StreamOptions
    from ..models.token_sequence import TokenSequence


T = TypeVar("T", bound="CompletionsDedicatedBodyWithTokens")


@_attrs_define
class CompletionsDedicatedBodyWithTokens:
    model: str
    tokens: list[int]
    bad_word_tokens: list[TokenSequence] | None | Unset = UNSET
    bad_words: list[str] | None | Unset = UNSET
    embedding_to_replace: list[float] | None | Unset = UNSET
    encoder_no_repeat_ngram: int | None | Unset = UNSET
    encoder_repetition_penalty: float | None | Unset = UNSET
    eos_token: list[int] | None | Unset = UNSET
    forced_output_tokens: list[int] | None | Unset = UNSET
    frequency_penalty: float | None | Unset = UNSET
    logprobs: int | None | Unset = UNSET
    max_tokens: int | None | Unset = UNSET
    max_total_tokens: int | None | Unset = UNSET
    min_p: float | None | Unset = UNSET
    min_tokens: int | None | Unset = UNSET
    min_total_tokens: int | None | Unset = UNSET
    n: int | None | Unset = UNSET
    no_repeat_ngram: int | None | Unset = UNSET
    presence_penalty: float | None | Unset = UNSET
    repetition_penalty: float | None | Unset = UNSET
    response_format: (
        None | ResponseFormatJsonObject | ResponseFormatJsonSchema | ResponseFormatRegex | ResponseFormatText | Unset
    ) = UNSET
    seed: int | list[int] | None | Unset = UNSET
    stop: list[str] | None | Unset = UNSET
    stop_tokens: list[TokenSequence] | None | Unset = UNSET
    stream: bool | None | Unset = False
    stream_options: None | StreamOptions | Unset = UNSET
    temperature: float | None | Unset = UNSET
    token_index_to_replace: list[int] | None | Unset = UNSET
    top_k: int | None | Unset = UNSET
    top_p: float | None | Unset = UNSET
    xtc_threshold: float | None | Unset = UNSET
    xtc_probability: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.response_format_json_object import ResponseFormatJsonObject
        from ..models.response_format_json_schema import ResponseFormatJsonSchema
        from ..models.response_format_regex import ResponseFormatRegex
        from ..models.response_format_text import ResponseFormatText
        from ..models.stream_options import StreamOptions

        model = self.model

        tokens = self.tokens

        bad_word_tokens: list[dict[str, Any]] | None | Unset
        if isinstance(self.bad_word_tokens, Unset):
            bad_word_tokens = UNSET
        elif isinstance(self.bad_word_tokens, list):
            bad_word_tokens = []
            for bad_word_tokens_type_0_item_data in self.bad_word_tokens:
                bad_word_tokens_type_0_item = bad_word_tokens_type_0_item_data.to_dict()
                bad_word_tokens.append(bad_word_tokens_type_0_item)

        else:
            bad_word_tokens = self.bad_word_tokens

        bad_words: list[str] | None | Unset
        if isinstance(self.bad_words, Unset):
            bad_words = UNSET
        elif isinstance(self.bad_words, list):
            bad_words = self.bad_words

        else:
            bad_words = self.bad_words

        embedding_to_replace: list[float] | None | Unset
        if isinstance(self.embedding_to_replace, Unset):
            embedding_to_replace = UNSET
        elif isinstance(self.embedding_to_replace, list):
            embedding_to_replace = self.embedding_to_replace

        else:
            embedding_to_replace = self.embedding_to_replace

        encoder_no_repeat_ngram: int | None | Unset
        if isinstance(self.encoder_no_repeat_ngram, Unset):
            encoder_no_repeat_ngram = UNSET
        else:
            encoder_no_repeat_ngram = self.encoder_no_repeat_ngram

        encoder_repetition_penalty: float | None | Unset
        if isinstance(self.encoder_repetition_penalty, Unset):
            encoder_repetition_penalty = UNSET
        else:
            encoder_repetition_penalty = self.encoder_repetition_penalty

        eos_token: list[int] | None | Unset
        if isinstance(self.eos_token, Unset):
            eos_token = UNSET
        elif isinstance(self.eos_token, list):
            eos_token = self.eos_token

        else:
            eos_token = self.eos_token

        forced_output_tokens: list[int] | None | Unset
        if isinstance(self.forced_output_tokens, Unset):
            forced_output_tokens = UNSET
        elif isinstance(self.forced_output_tokens, list):
            forced_output_tokens = self.forced_output_tokens

        else:
            forced_output_tokens = self.forced_output_tokens

        frequency_penalty: float | None | Unset
        if isinstance(self.frequency_penalty, Unset):
            frequency_penalty = UNSET
        else:
            frequency_penalty = self.frequency_penalty

        logprobs: int | None | Unset
        if isinstance(self.logprobs, Unset):
            logprobs = UNSET
        else:
            logprobs = self.logprobs

        max_tokens: int | None | Unset
        if isinstance(self.max_tokens, Unset):
            max_tokens = UNSET
        else:
            max_tokens = self.max_tokens

        max_total_tokens: int | None | Unset
        if isinstance(self.max_total_tokens, Unset):
            max_total_tokens = UNSET
        else:
            max_total_tokens = self.max_total_tokens

        min_p: float | None | Unset
        if isinstance(self.min_p, Unset):
            min_p = UNSET
        else:
            min_p = self.min_p

        min_tokens: int | None | Unset
        if isinstance(self.min_tokens, Unset):
            min_tokens = UNSET
        else:
            min_tokens = self.min_tokens

        min_total_tokens: int | None | Unset
        if isinstance(self.min_total_tokens, Unset):
            min_total_tokens = UNSET
        else:
            min_total_tokens = self.min_total_tokens

        n: int | None | Unset
        if isinstance(self.n, Unset):
            n = UNSET
        else:
            n = self.n

        no_repeat_ngram: int | None | Unset
        if isinstance(self.no_repeat_ngram, Unset):
            no_repeat_ngram = UNSET
        else:
            no_repeat_ngram = self.no_repeat_ngram

        presence_penalty: float | None | Unset
        if isinstance(self.presence_penalty, Unset):
            presence_penalty = UNSET
        else:
            presence_penalty = self.presence_penalty

        repetition_penalty: float | None | Unset
        if isinstance(self.repetition_penalty, Unset):
            repetition_penalty = UNSET
        else:
            repetition_penalty = self.repetition_penalty

        response_format: dict[str, Any] | None | Unset
        if isinstance(self.response_format, Unset):
            response_format = UNSET
        elif (
            isinstance(self.response_format, ResponseFormatJsonSchema)
            or isinstance(self.response_format, ResponseFormatJsonObject)
            or isinstance(self.response_format, ResponseFormatRegex)
            or isinstance(self.response_format, ResponseFormatText)
        ):
            response_format = self.response_format.to_dict()
        else:
            response_format = self.response_format

        seed: int | list[int] | None | Unset
        if isinstance(self.seed, Unset):
            seed = UNSET
        elif isinstance(self.seed, list):
            seed = self.seed

        else:
            seed = self.seed

        stop: list[str] | None | Unset
        if isinstance(self.stop, Unset):
            stop = UNSET
        elif isinstance(self.stop, list):
            stop = self.stop

        else:
            stop = self.stop

        stop_tokens: list[dict[str, Any]] | None | Unset
        if isinstance(self.stop_tokens, Unset):
            stop_tokens = UNSET
        elif isinstance(self.stop_tokens, list):
            stop_tokens = []
            for stop_tokens_type_0_item_data in self.stop_tokens:
                stop_tokens_type_0_item = stop_tokens_type_0_item_data.to_dict()
                stop_tokens.append(stop_tokens_type_0_item)

        else:
            stop_tokens = self.stop_tokens

        stream: bool | None | Unset
        if isinstance(self.stream, Unset):
            stream = UNSET
        else:
            stream = self.stream

        stream_options: dict[str, Any] | None | Unset
        if isinstance(self.stream_options, Unset):
            stream_options = UNSET
        elif isinstance(self.stream_options, StreamOptions):
            stream_options = self.stream_options.to_dict()
        else:
            stream_options = self.stream_options

        temperature: float | None | Unset
        if isinstance(self.temperature, Unset):
            temperature = UNSET
        else:
            temperature = self.temperature

        token_index_to_replace: list[int] | None | Unset
        if isinstance(self.token_index_to_replace, Unset):
            token_index_to_replace = UNSET
        elif isinstance(self.token_index_to_replace, list):
            token_index_to_replace = self.token_index_to_replace

        else:
            token_index_to_replace = self.token_index_to_replace

        top_k: int | None | Unset
        if isinstance(self.top_k, Unset):
            top_k = UNSET
        else:
            top_k = self.top_k

        top_p: float | None | Unset
        if isinstance(self.top_p, Unset):
            top_p = UNSET
        else:
            top_p = self.top_p

        xtc_threshold: float | None | Unset
        if isinstance(self.xtc_threshold, Unset):
            xtc_threshold = UNSET
        else:
            xtc_threshold = self.xtc_threshold

        xtc_probability: float | None | Unset
        if isinstance(self.xtc_probability, Unset):
            xtc_probability = UNSET
        else:
            xtc_probability = self.xtc_probability

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "model": model,
                "tokens": tokens,
            }
        )
        if bad_word_tokens is not UNSET:
            field_dict["bad_word_tokens"] = bad_word_tokens
        if bad_words is not UNSET:
            field_dict["bad_words"] = bad_words
        if embedding_to_replace is not UNSET:
            field_dict["embedding_to_replace"] = embedding_to_replace
        if encoder_no_repeat_ngram is not UNSET:
            field_dict["encoder_no_repeat_ngram"] = encoder_no_repeat_ngram
        if encoder_repetition_penalty is not UNSET:
            field_dict["encoder_repetition_penalty"] = encoder_repetition_penalty
        if eos_token is not UNSET:
            field_dict["eos_token"] = eos_token
        if forced_output_tokens is not UNSET:
            field_dict["forced_output_tokens"] = forced_output_tokens
        if frequency_penalty is not UNSET:
            field_dict["frequency_penalty"] = frequency_penalty
        if logprobs is not UNSET:
            field_dict["logprobs"] = logprobs
        if max_tokens is not UNSET:
            field_dict["max_tokens"] = max_tokens
        if max_total_tokens is not UNSET:
            field_dict["max_total_tokens"] = max_total_tokens
        if min_p is not UNSET:
            field_dict["min_p"] = min_p
        if min_tokens is not UNSET:
            field_dict["min_tokens"] = min_tokens
        if min_total_tokens is not UNSET:
            field_dict["min_total_tokens"] = min_total_tokens
        if n is not UNSET:
            field_dict["n"] = n
        if no_repeat_ngram is not UNSET:
            field_dict["no_repeat_ngram"] = no_repeat_ngram
        if presence_penalty is not UNSET:
            field_dict["presence_penalty"] = presence_penalty
        if repetition_penalty is not UNSET:
            field_dict["repetition_penalty"] = repetition_penalty
        if response_format is not UNSET:
            field_dict["response_format"] = response_format
        if seed is not UNSET:
            field_dict["seed"] = seed
        if stop is not UNSET:
            field_dict["stop"] = stop
        if stop_tokens is not UNSET:
            field_dict["stop_tokens"] = stop_tokens
        if stream is not UNSET:
            field_dict["stream"] = stream
        if stream_options is not UNSET:
            field_dict["stream_options"] = stream_options
        if temperature is not UNSET:
            field_dict["temperature"] = temperature
        if token_index_to_replace is not UNSET:
            field_dict["token_index_to_replace"] = token_index_to_replace
        if top_k is not UNSET:
            field_dict["top_k"] = top_k
        if top_p is not UNSET:
            field_dict["top_p"] = top_p
        if xtc_threshold is not UNSET:
            field_dict["xtc_threshold"] = xtc_threshold
        if xtc_probability is not UNSET:
            field_dict["xtc_probability"] = xtc_probability

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.response_format_json_object import ResponseFormatJsonObject
        from ..models.response_format_json_schema import ResponseFormatJsonSchema
        from ..models.response_format_regex import ResponseFormatRegex
        from ..models.response_format_text import ResponseFormatText
        from ..models.stream_options import StreamOptions
        from ..models.token_sequence import TokenSequence

        d = dict(src_dict)
        model = d.pop("model")

        tokens = cast(list[int], d.pop("tokens"))

        def _parse_bad_word_tokens(data: object) -> list[TokenSequence] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                bad_word_tokens_type_0 = []
                _bad_word_tokens_type_0 = data
                for bad_word_tokens_type_0_item_data in _bad_word_tokens_type_0:
                    bad_word_tokens_type_0_item = TokenSequence.from_dict(bad_word_tokens_type_0_item_data)

                    bad_word_tokens_type_0.append(bad_word_tokens_type_0_item)

                return bad_word_tokens_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[TokenSequence] | None | Unset, data)

        bad_word_tokens = _parse_bad_word_tokens(d.pop("bad_word_tokens", UNSET))

        def _parse_bad_words(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                bad_words_type_0 = cast(list[str], data)

                return bad_words_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        bad_words = _parse_bad_words(d.pop("bad_words", UNSET))

        def _parse_embedding_to_replace(data: object) -> list[float] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                embedding_to_replace_type_0 = cast(list[float], data)

                return embedding_to_replace_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[float] | None | Unset, data)

        embedding_to_replace = _parse_embedding_to_replace(d.pop("embedding_to_replace", UNSET))

        def _parse_encoder_no_repeat_ngram(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        encoder_no_repeat_ngram = _parse_encoder_no_repeat_ngram(d.pop("encoder_no_repeat_ngram", UNSET))

        def _parse_encoder_repetition_penalty(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        encoder_repetition_penalty = _parse_encoder_repetition_penalty(d.pop("encoder_repetition_penalty", UNSET))

        def _parse_eos_token(data: object) -> list[int] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                eos_token_type_0 = cast(list[int], data)

                return eos_token_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[int] | None | Unset, data)

        eos_token = _parse_eos_token(d.pop("eos_token", UNSET))

        def _parse_forced_output_tokens(data: object) -> list[int] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                forced_output_tokens_type_0 = cast(list[int], data)

                return forced_output_tokens_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[int] | None | Unset, data)

        forced_output_tokens = _parse_forced_output_tokens(d.pop("forced_output_tokens", UNSET))

        def _parse_frequency_penalty(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        frequency_penalty = _parse_frequency_penalty(d.pop("frequency_penalty", UNSET))

        def _parse_logprobs(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        logprobs = _parse_logprobs(d.pop("logprobs", UNSET))

        def _parse_max_tokens(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_tokens = _parse_max_tokens(d.pop("max_tokens", UNSET))

        def _parse_max_total_tokens(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_total_tokens = _parse_max_total_tokens(d.pop("max_total_tokens", UNSET))

        def _parse_min_p(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        min_p = _parse_min_p(d.pop("min_p", UNSET))

        def _parse_min_tokens(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        min_tokens = _parse_min_tokens(d.pop("min_tokens", UNSET))

        def _parse_min_total_tokens(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        min_total_tokens = _parse_min_total_tokens(d.pop("min_total_tokens", UNSET))

        def _parse_n(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        n = _parse_n(d.pop("n", UNSET))

        def _parse_no_repeat_ngram(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        no_repeat_ngram = _parse_no_repeat_ngram(d.pop("no_repeat_ngram", UNSET))

        def _parse_presence_penalty(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        presence_penalty = _parse_presence_penalty(d.pop("presence_penalty", UNSET))

        def _parse_repetition_penalty(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        repetition_penalty = _parse_repetition_penalty(d.pop("repetition_penalty", UNSET))

        def _parse_response_format(
            data: object,
        ) -> (
            None
            | ResponseFormatJsonObject
            | ResponseFormatJsonSchema
            | ResponseFormatRegex
            | ResponseFormatText
            | Unset
        ):
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_response_format_type_0 = ResponseFormatJsonSchema.from_dict(data)

                return componentsschemas_response_format_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_response_format_type_1 = ResponseFormatJsonObject.from_dict(data)

                return componentsschemas_response_format_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_response_format_type_2 = ResponseFormatRegex.from_dict(data)

                return componentsschemas_response_format_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_response_format_type_3 = ResponseFormatText.from_dict(data)

                return componentsschemas_response_format_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                None
                | ResponseFormatJsonObject
                | ResponseFormatJsonSchema
                | ResponseFormatRegex
                | ResponseFormatText
                | Unset,
                data,
            )

        response_format = _parse_response_format(d.pop("response_format", UNSET))

        def _parse_seed(data: object) -> int | list[int] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                seed_type_0 = cast(list[int], data)

                return seed_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(int | list[int] | None | Unset, data)

        seed = _parse_seed(d.pop("seed", UNSET))

        def _parse_stop(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                stop_type_0 = cast(list[str], data)

                return stop_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        stop = _parse_stop(d.pop("stop", UNSET))

        def _parse_stop_tokens(data: object) -> list[TokenSequence] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                stop_tokens_type_0 = []
                _stop_tokens_type_0 = data
                for stop_tokens_type_0_item_data in _stop_tokens_type_0:
                    stop_tokens_type_0_item = TokenSequence.from_dict(stop_tokens_type_0_item_data)

                    stop_tokens_type_0.append(stop_tokens_type_0_item)

                return stop_tokens_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[TokenSequence] | None | Unset, data)

        stop_tokens = _parse_stop_tokens(d.pop("stop_tokens", UNSET))

        def _parse_stream(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        stream = _parse_stream(d.pop("stream", UNSET))

        def _parse_stream_options(data: object) -> None | StreamOptions | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                stream_options_type_0 = StreamOptions.from_dict(data)

                return stream_options_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | StreamOptions | Unset, data)

        stream_options = _parse_stream_options(d.pop("stream_options", UNSET))

        def _parse_temperature(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        temperature = _parse_temperature(d.pop("temperature", UNSET))

        def _parse_token_index_to_replace(data: object) -> list[int] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                token_index_to_replace_type_0 = cast(list[int], data)

                return token_index_to_replace_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[int] | None | Unset, data)

        token_index_to_replace = _parse_token_index_to_replace(d.pop("token_index_to_replace", UNSET))

        def _parse_top_k(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        top_k = _parse_top_k(d.pop("top_k", UNSET))

        def _parse_top_p(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        top_p = _parse_top_p(d.pop("top_p", UNSET))

        def _parse_xtc_threshold(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        xtc_threshold = _parse_xtc_threshold(d.pop("xtc_threshold", UNSET))

        def _parse_xtc_probability(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        xtc_probability = _parse_xtc_probability(d.pop("xtc_probability", UNSET))

        completions_dedicated_body_with_tokens = cls(
            model=model,
            tokens=tokens,
            bad_word_tokens=bad_word_tokens,
            bad_words=bad_words,
            embedding_to_replace=embedding_to_replace,
            encoder_no_repeat_ngram=encoder_no_repeat_ngram,
            encoder_repetition_penalty=encoder_repetition_penalty,
            eos_token=eos_token,
            forced_output_tokens=forced_output_tokens,
            frequency_penalty=frequency_penalty,
            logprobs=logprobs,
            max_tokens=max_tokens,
            max_total_tokens=max_total_tokens,
            min_p=min_p,
            min_tokens=min_tokens,
            min_total_tokens=min_total_tokens,
            n=n,
            no_repeat_ngram=no_repeat_ngram,
            presence_penalty=presence_penalty,
            repetition_penalty=repetition_penalty,
            response_format=response_format,
            seed=seed,
            stop=stop,
            stop_tokens=stop_tokens,
            stream=stream,
            stream_options=stream_options,
            temperature=temperature,
            token_index_to_replace=token_index_to_replace,
            top_k=top_k,
            top_p=top_p,
            xtc_threshold=xtc_threshold,
            xtc_probability=xtc_probability,
        )

        completions_dedicated_body_with_tokens.additional_properties = d
        return completions_dedicated_body_with_tokens

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
