"""Each detector on positive cases, keyword traps, and speech-style text."""

from __future__ import annotations

import json

import pytest


def kinds(text_analyzer, text: str) -> set[str]:
    return {c.kind for c in text_analyzer.find(text).cues}


POSITIVE = [
    ("framing", "So the problem is to predict which subscribers will cancel next month."),
    ("framing", "If I understand correctly, we only care about paying users."),
    ("framing", "The success metric here would be recall at a fixed precision."),
    ("framing", "I'll cover the data first, then the model, then serving."),
    ("framing", "Is this for new users or returning ones?"),
    ("framing", "Before I dive in, let me clarify the scope."),
    ("assumption", "I'll assume we have twelve months of usage logs."),
    ("assumption", "Let's say we have about a million active subscribers."),
    ("assumption", "Suppose the labels arrive a week late."),
    ("assumption", "For now, say we get a million requests a day."),
    ("assumption", "Imagine the labels are noisy."),
    ("assumption", "I'm going on the basis that users log in daily."),
    ("tradeoff", "Gradient boosted trees are faster but less accurate than a transformer."),
    ("tradeoff", "It's quicker to train, but noticeably worse on rare classes."),
    ("tradeoff", "We get fresher features at the cost of a more complex pipeline."),
    ("tradeoff", "The downside is that batch scoring reacts a day late."),
    ("tradeoff", "The trade-off is latency versus accuracy."),
    ("tradeoff", "It's cheaper, though harder to maintain."),
    ("limitation", "This falls apart when traffic spikes."),
    ("limitation", "The weak spot is brand new users with no history."),
    ("limitation", "It can't cope with concept drift."),
    ("limitation", "I'd worry about label leakage here."),
    ("limitation", "Keys split across two lines slip past the pattern entirely."),
    ("limitation", "Without labels for new scams we'd be flying blind for weeks."),
    ("framing", "We need to store billions of small files cheaply and serve them fast."),
    ("framing", "What budget do we have for labelling?"),
    ("recap", "To summarize, we score nightly with gradient boosted trees."),
    ("recap", "In summary, the design has three parts."),
    ("recap", "Putting it all together, we get a simple and cheap system."),
    ("recap", "The short version is: batch scoring and a tree model."),
    ("recap", "In a nutshell, we score nightly and fall back to popularity."),
    ("rationale", "I'd go with gradient boosted trees, because the features are tabular and mixed."),
    ("rationale", "That's why we shard by user."),
    ("rationale", "The reason I picked Postgres is that we already run it."),
    ("rationale", "We'd keep a separate queue per host so that we can enforce politeness."),
    ("mitigation", "The weak spot is brand new users. To handle that, we'd fall back to their signup cohort."),
    ("mitigation", "One way around that is to retrain weekly."),
    ("mitigation", "As a fallback, we serve yesterday's ranking."),
    ("mitigation", "It breaks down for brand new users. So we'd show them the most popular items."),
    ("filler", "Um, we would train a model."),
    ("filler", "It's, like, a lot of data."),
    ("filler", "We store it, you know, in a cache."),
    ("hedge", "I guess we could use a queue."),
    ("hedge", "Maybe a neural network would work."),
    ("hedge", "It's sort of a ranking problem."),
]

TRAPS = [
    ("tradeoff", "We met at a trade show in Berlin."),
    ("tradeoff", "But the meeting ran late."),
    ("tradeoff", "The cost of the hardware was shared between teams."),
    ("assumption", "K-means assumes round clusters."),
    ("assumption", "The function reads assumed_rate from the config."),
    ("assumption", "I'd say the second option is cleaner."),
    ("recap", "There's a summary table at the end of the doc."),
    ("recap", "It's a short version of the API."),
    ("recap", "In a way, it was a fun place to work."),
    ("rationale", "It's slow because the disk is full."),
    ("rationale", "People like it because it's free."),
    ("rationale", "I've lived in Lyon since 2019, and I'd move again."),
    ("rationale", "The weak spot is new users, because they have no history."),
    ("mitigation", "To handle requests, we use a queue."),
    ("mitigation", "We store features in a cache."),
    ("limitation", "She failed the driving test once."),
    ("framing", "What kind of model is that?"),
    ("limitation", "Alerts go out by email every morning."),
    ("limitation", "A survival model gives the chance of a burst in the next year."),
    ("filler", "I like gradient boosted trees."),
    ("filler", "It looks like the data is stale."),
    ("hedge", "What kind of database do you use?"),
]


#: Depth cues checked with the patterns alone (the classifier could mark these sentences anyway):
#: each fires on its cue, by the named pattern.
DEPTH_CUES = [
    ("mitigation", "so-x-doesnt", "Each customer gets a concurrency limit so one slow endpoint doesn't tie up the workers."),
    ("mitigation", "so-nothing", "We shard the queue so nothing waits behind a slow job."),
    ("mitigation", "to-avoid", "We dedupe by event ID to avoid double counting."),
    ("mitigation", "to-catch", "So, in short: two stores, and random audits to keep the labels honest."),
    ("mitigation", "fixes-that", "Cold starts are slow. A warm pool of replicas fixes most of that."),
    ("mitigation", "helps-with-that", "Labels are noisy. A second review pass helps with that."),
    ("mitigation", "the-fix-is", "Leakage is the usual trap, and the fix is a time-based split."),
    ("mitigation", "for-those-cases", "Some users have no history. For those cases we show popular items."),
    ("mitigation", "to-handle-that", "Position bias skews the clicks. We'd correct that with inverse propensity weights."),
    ("rationale", "so-i-would", "Analysts still want rules, so I'd keep a rules layer in front."),
    ("rationale", "so-i-would", "Labels arrive a month late, so I'm going to train on a proxy label."),
    ("rationale", "so-x-matters-more", "Missing a tumour is far worse than a false alarm, so recall matters more."),
    ("rationale", "so-x-can", "Every rollup row carries the run ID so finance can trace it."),
    ("rationale", "because-choice", "I'd judge it on recall, because a missed face is a privacy incident."),
]

#: Their lookalikes: the same words with no remedy or no decision (the full pipeline, classifier too).
DEPTH_LOOKALIKES = [
    ("mitigation", "So I don't think that matters much."),
    ("mitigation", "The disk filled up, so the job didn't finish."),
    ("mitigation", "It's hard to avoid jargon in this field."),
    ("mitigation", "We need to catch bad data before it reaches the dashboards."),
    ("mitigation", "The answer is yes."),
    ("mitigation", "In that case the test would fail."),
    ("mitigation", "The team tracks guardrails such as page latency."),
    ("rationale", "Um, so we want to predict churn."),
    ("rationale", "The disk was full, so the job failed."),
    ("rationale", "I got a parking ticket, so I'm in a mood."),
    ("rationale", "We've used Kafka since the last migration."),
    ("rationale", "The job is to forecast demand so the stores can plan."),
    ("rationale", "Load tests would miss cache behaviour at peak, since real users hit a wider spread of items."),
    ("rationale", "Distribution checks would pass a feature shifted by one day because of a join bug."),
]


@pytest.fixture(scope="module")
def patterns_only():
    from thinkaloud.nlp.pipeline import DetectorOptions, TextAnalyzer

    return TextAnalyzer(DetectorOptions(classifier=False))


@pytest.mark.parametrize("kind,pattern,text", DEPTH_CUES)
def test_depth_cue_fires_by_its_pattern(patterns_only, kind, pattern, text):
    assert pattern in {c.pattern for c in patterns_only.find(text).cues if c.kind == kind}


@pytest.mark.parametrize("kind,text", DEPTH_LOOKALIKES)
def test_depth_lookalike_is_not_marked(text_analyzer, kind, text):
    assert kind not in kinds(text_analyzer, text)


#: How people really talk, where cue words mean something else (each a rule the patterns state).
SPOKEN_LOOKALIKES = [
    ("assumption", "We trained, let's say, two kinds of models on it."),  # "let's say" for "for example"
    ("assumption", "I assume that's why they left the project."),  # present "I assume" means "I guess"
    ("assumption", "I suppose I should explain how I got into this."),
    ("assumption", "I'm working on two things at the moment."),
    ("assumption", "That was a good starting point for me."),
    ("tradeoff", "It's not about the money but about the people you work with."),  # "not X but Y" corrects
    ("tradeoff", "I don't know, but I think the second one shipped first."),
    ("tradeoff", "The team was great and we shipped a lot of features over many years with customers all over Europe, but then we moved to Berlin."),
    ("framing", "I wanted to build something fun back then."),
    ("framing", "The problem is not the model at all."),
    ("recap", "When it comes down to it, I just like writing code."),
    # the only "choice" word sits inside the reason: the sentence explains a fact, it chooses nothing
    ("rationale", "It's a nice tool because it uses plain text files underneath."),
    ("rationale", "The library got popular because you can run it on any laptop."),
    ("rationale", "So that was the year we decided to use Go everywhere."),  # "so" + the pronoun "that"
    ("rationale", "The plugin reads the whole config so that it can put the values in a struct."),  # "put" is the purpose
    ("rationale", "And that's why it's so hard to hire for."),  # "why it's" explains a state
    ("rationale", "No framework I tried would do it, because they all wanted a server."),  # "would" predicts
    ("rationale", "I would argue it's mostly luck, because nobody planned it."),  # "would" hedges a claim
    ("mitigation", "We had to learn a lot just to solve this puzzle."),  # "this" opens a new noun
    ("mitigation", "We can deal with these questions later in the talk."),
    ("mitigation", "The tool won't help unless you know what you're looking for."),  # a condition, no safeguard
    ("mitigation", "Honestly, you'd want to avoid those at all costs."),  # a wish, no remedy
]

SPOKEN_PREMISES = [
    ("assumption", "Let's say you have a model that predicts churn."),
    ("assumption", "So let's say about fifty thousand posts a day."),
    ("assumption", "I'm going to assume the labels arrive a week late."),
    ("tradeoff", "It's faster, but it doesn't scale past one machine."),
    ("rationale", "We use Postgres because we already know how to run it."),
    ("rationale", "Because the data is tabular, I'd start with gradient boosting."),  # a reason put first
    ("rationale", "We split the service in two so that the login path stays up."),
    ("rationale", "We cache the results so that the second request comes back instantly."),
    ("rationale", "That's why we moved everything to one region."),
    ("rationale", "We'd still page someone at night, because the customers notice."),  # "we'd" decides
    ("rationale", "It's important that you pin your versions, because upstream changes all the time."),
    ("rationale", "Going with Rust was a decision we made early, because the team already knew it."),
    ("mitigation", "Retries can pile up, and to get around that we cap them per client."),
    ("mitigation", "The cache goes stale sometimes, and we deal with those by expiring keys every hour."),
    ("mitigation", "The counts come out low unless we replay the missed events."),
    ("mitigation", "Deploys used to break at night; a staged rollout avoids that."),
]


@pytest.mark.parametrize("kind,text", SPOKEN_LOOKALIKES)
def test_spoken_lookalike_fires_no_cue_pattern(patterns_only, kind, text):
    assert kind not in {c.kind for c in patterns_only.find(text).cues}


@pytest.mark.parametrize("kind,text", SPOKEN_PREMISES)
def test_spoken_move_still_fires_its_cue_pattern(patterns_only, kind, text):
    assert kind in {c.kind for c in patterns_only.find(text).cues}


@pytest.mark.parametrize("kind,text", POSITIVE)
def test_detector_fires_on_its_cue(text_analyzer, kind, text):
    assert kind in kinds(text_analyzer, text)


@pytest.mark.parametrize("kind,text", TRAPS)
def test_detector_ignores_keyword_trap(text_analyzer, kind, text):
    assert kind not in kinds(text_analyzer, text)


def test_every_cue_is_inside_its_sentence(text_analyzer):
    text = "So the goal is retention. I'll assume a million users. It is faster but less accurate."
    findings = text_analyzer.find(text)
    for cue in findings.cues:
        sentence = findings.sentences[cue.sentence]
        assert sentence.char_start <= cue.cue_start < cue.cue_end <= sentence.char_end
        assert text[cue.cue_start : cue.cue_end] == cue.cue


def test_abrupt_topic_jump_and_return(text_analyzer):
    text = (
        "We want to predict customer churn for a subscription service. "
        "The churn model uses usage drops and late payments as features. "
        "Customer churn labels come from cancellations within thirty days. "
        "Also, Kafka partitions are a pain to rebalance. "
        "Every consumer rejoin stalls the whole group. "
        "Back to churn, the features feed a gradient boosted model."
    )
    shifts = [c for c in text_analyzer.find(text).cues if c.kind == "topic_shift"]
    assert [(s.sentence, s.signposted) for s in shifts] == [(3, False)]


def test_signposted_shift(text_analyzer):
    text = (
        "We want to predict churn from usage logs. The model is a gradient boosted tree. "
        "Moving on to serving, we score everyone nightly."
    )
    shifts = [c for c in text_analyzer.find(text).cues if c.kind == "topic_shift"]
    assert [(s.sentence, s.signposted) for s in shifts] == [(2, True)]


def test_blank_pipeline_runs_the_same_detectors():
    """The detectors need only a tokenizer and sentence boundaries to run."""
    import spacy

    from thinkaloud.nlp.pipeline import TextAnalyzer

    blank = TextAnalyzer(base=spacy.blank("en"), name="blank")
    found = {c.kind for c in blank.find("To summarize, I'll assume a million users. Um, the downside is cost.").cues}
    assert {"recap", "assumption", "filler", "tradeoff"} <= found


def test_user_cue_phrases_take_effect_without_code_changes():
    import spacy

    from thinkaloud.nlp.pipeline import DetectorOptions, TextAnalyzer

    options = DetectorOptions(extra_cues={"recap": ["net result"]})
    analyzer = TextAnalyzer(options, base=spacy.blank("en"), name="blank")
    assert "recap" in {c.kind for c in analyzer.find("The net result is a cheaper system.").cues}


def test_disabled_detector_does_not_run():
    import spacy

    from thinkaloud.nlp.pipeline import DetectorOptions, TextAnalyzer

    analyzer = TextAnalyzer(DetectorOptions(enabled=("framing",)), base=spacy.blank("en"), name="blank")
    assert {c.kind for c in analyzer.find("Um, I'll assume a million users.").cues} == set()


def test_pattern_files_document_every_group():
    from thinkaloud.nlp.cues import PATTERN_DIR, load_pattern_file, load_word_lists

    word_lists, docs = load_word_lists(PATTERN_DIR / "segmentation.jsonl")
    assert word_lists and set(word_lists) <= set(docs)
    for path in sorted(set(PATTERN_DIR.glob("*.jsonl")) - {PATTERN_DIR / "segmentation.jsonl"}):
        loaded = load_pattern_file(path)
        assert loaded.patterns, path
        assert {p.group for p in loaded.patterns} <= set(loaded.group_docs), path


def test_a_fragment_is_spliced_into_every_pattern_that_names_it(tmp_path):
    from thinkaloud.nlp.cues import load_pattern_file

    lets = [{"LOWER": {"IN": ["let", "lets"]}}, {"LOWER": "'s", "OP": "?"}]
    lines = [
        {"fragment": "lets", "doc": "let's", "tokens": lets},
        {"fragment": "lets-say", "doc": "let's say", "tokens": [{"FRAGMENT": "lets"}, {"LOWER": "say"}]},
        {"group": "premise", "doc": "a premise"},
        {"group": "premise", "id": "lets-say-we", "pattern": [{"FRAGMENT": "lets-say"}, {"LOWER": "we"}]},
        {"group": "premise", "id": "plain", "pattern": "suppose that"},
    ]
    path = tmp_path / "premise.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines))
    patterns = {p.id: p.pattern for p in load_pattern_file(path).patterns}
    assert patterns == {"lets-say-we": lets + [{"LOWER": "say"}, {"LOWER": "we"}], "plain": "suppose that"}


@pytest.mark.parametrize("token", [{"FRAGMENT": "later"}, {"FRAGMENT": "lets", "OP": "?"}])
def test_a_fragment_used_before_it_is_defined_or_decorated_is_an_error_naming_the_line(tmp_path, token):
    from thinkaloud.nlp.cues import load_pattern_file

    lines = [
        {"fragment": "lets", "doc": "let's", "tokens": [{"LOWER": "let"}]},
        {"group": "premise", "doc": "a premise"},
        {"group": "premise", "id": "x", "pattern": [token, {"LOWER": "say"}]},
        {"fragment": "later", "doc": "too late", "tokens": [{"LOWER": "now"}]},
    ]
    path = tmp_path / "premise.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines))
    with pytest.raises(ValueError, match=r"premise\.jsonl:3: .* names no fragment"):
        load_pattern_file(path)


@pytest.mark.parametrize("sentence", [
    # real podcast sentences (tests/data/real_speech/train.jsonl) that the parser used to cut at a comma
    "I mean, getting the data is non-trivial, I would say, and then makign sure that the model is actually "
    "performing the way you want it to is also non-trivial.",
    "Now I switched to the latest one, which is GPT-3.5...",
    "It's kind of become a standard anyway, where the first param is always context anyway, so...",
])
def test_a_well_punctuated_sentence_is_never_cut_in_two(text_analyzer, sentence):
    assert [s.text for s in text_analyzer.find(sentence).sentences] == [sentence]


def test_an_aside_opener_inside_a_sentence_is_no_topic_jump(text_analyzer):
    # the last sentence shares no content word with the rest, and "but also" sits mid-sentence
    text = (
        "So the platform team owns the deploy pipeline and the build caches. "
        "It keeps releases boring and predictable for everyone involved. "
        "Each service gets its own pipeline with the same stages. "
        "I like abstracting away complexity, but honestly giving you reusable parts."
    )
    assert not [c for c in text_analyzer.find(text).cues if c.kind == "topic_shift" and not c.signposted]


def test_a_missing_signal_classifier_is_a_model_error_naming_where_it_looked(tmp_path):
    from thinkaloud.errors import ExitCode, ModelError
    from thinkaloud.nlp.classifier import find_model_dir

    with pytest.raises(ModelError) as raised:
        find_model_dir(tmp_path / "signal-classifier")
    assert str(tmp_path / "signal-classifier") in str(raised.value)
    assert raised.value.exit_code == ExitCode.MODEL
    assert "\n" not in str(raised.value)
