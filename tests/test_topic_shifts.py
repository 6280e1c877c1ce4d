"""Abrupt topic jumps: lexical cohesion plus discourse evidence (asides, returns)."""

from __future__ import annotations


def jumps(text_analyzer, text):
    return [c.sentence for c in text_analyzer.find(text).cues if c.kind == "topic_shift" and not c.signposted]


KEYBOARD = (
    "We want next-word suggestions for a phone keyboard. "
    "A compact language model runs on the device so typing stays private. "
    "Personalization uses federated updates from each user's typing. "
    "Code-switching between two languages trips up a single-language model. "
)


def test_a_digression_before_a_return_is_a_jump_even_when_it_echoes_a_word(text_analyzer):
    # "phone" and "typing" were heard before, but most of the sentence is new
    # and the speaker immediately comes back to the main thread.
    text = KEYBOARD + (
        "My phone keeps suggesting ducking whenever I'm typing and I have given up fighting it. "
        "Anyway, we'd evaluate offline on held-out chat text with keystrokes saved as the score."
    )
    assert jumps(text_analyzer, text) == [4]


def test_the_same_sentence_with_no_return_and_no_aside_is_not_a_jump(text_analyzer):
    text = KEYBOARD + (
        "My phone keeps suggesting ducking whenever I'm typing and I have given up fighting it. "
        "Offline evaluation uses held-out chat text with keystrokes saved as the score."
    )
    assert jumps(text_analyzer, text) == []


def test_new_nouns_without_a_discourse_cue_are_not_a_jump(text_analyzer):
    text = (
        "We want to flag patients at risk of readmission within thirty days. "
        "The hospital gives us a daily list of discharges. "
        "Nurses call the highest-risk patients after discharge. "
        "Features come from the electronic health record: diagnoses, prior admissions, medications, length of stay. "
        "Gradient boosted trees handle the mix of numeric and categorical inputs."
    )
    assert jumps(text_analyzer, text) == []


def test_a_two_sentence_digression_is_one_jump_and_the_return_is_none(text_analyzer):
    text = (
        "We want to predict customer churn for a subscription service. "
        "The churn model uses usage drops and late payments as features. "
        "Customer churn labels come from cancellations within thirty days. "
        "Oh, my cousin just adopted a third dog. "
        "She walks them at six every morning. "
        "Back to churn: targeting ranks users by predicted probability."
    )
    assert jumps(text_analyzer, text) == [3]


def test_unpunctuated_speech_with_a_return(text_analyzer):
    text = (
        "so we need a durable log for clickstream events from the mobile apps "
        "so i would use kafka with three replicas per partition and consumers reading from partitions with one leader each "
        "so waiting for all in sync replicas before acknowledging makes writes durable "
        "and it also makes every produce call as slow as the slowest follower "
        "oh my neighbor has been drilling into the wall every morning this week "
        "anyway consumers track their position as an offset per partition and commit it periodically"
    )
    found = text_analyzer.find(text)
    shifts = jumps(text_analyzer, text)
    assert len(shifts) == 1
    assert found.sentences[shifts[0]].text.startswith("oh my neighbor")


def test_a_bare_aside_word_cut_off_as_its_own_sentence_opens_the_next_one():
    """Unpunctuated speech can be segmented as "honestly" | "i have lost ...": the
    aside opener still counts for the sentence it introduces."""
    import spacy
    from spacy.tokens import Doc

    import thinkaloud.nlp.topics  # noqa: F401  (registers the factory)

    nlp = spacy.blank("en")
    nlp.add_pipe("thinkaloud_topic_shifts")
    sentences = [
        "the gateway routes chat requests to several model providers",
        "health checks score each provider by latency and error rate",
        "routing prefers the healthiest provider within the pinned region",
        "honestly",
        "concert tickets vanish from these queues every single weekend",
        "anyway quotas are counted in tokens per team",
    ]
    words, starts = [], []
    for sentence in sentences:
        for i, word in enumerate(sentence.split()):
            words.append(word)
            starts.append(i == 0)
    doc = nlp(Doc(nlp.vocab, words=words, sent_starts=starts))
    assert [(span.label_, span.text.split()[0]) for span in doc.spans["topic_shift"]] == [("abrupt", "concert")]

    # With no return after it, only the carried-over "honestly" can make it a
    # jump (it shares no content words with the answer so far).
    words2 = words[: -len(sentences[-1].split())] + ["quotas", "are", "counted", "per", "team"]
    starts2 = starts[: -len(sentences[-1].split())] + [True, False, False, False, False]
    doc2 = nlp(Doc(nlp.vocab, words=words2, sent_starts=starts2))
    assert [span.text.split()[0] for span in doc2.spans["topic_shift"]] == ["concert"]


def test_we_have_is_design_talk_not_a_personal_aside(text_analyzer):
    text = (
        "We want to rate limit an API across a cluster of gateway nodes. "
        "Each node keeps local counters that sync to a central store. "
        "The central store is Redis with a sliding window per key. "
        "Also, we have quotas per customer tier negotiated in contracts. "
        "Requests over the limit get a 429 with a retry-after header."
    )
    assert jumps(text_analyzer, text) == []
