"""Comparing two takes: checklist, matched statements, and delivery verdicts."""

from __future__ import annotations

import pytest

from tests.sample_reports import SAMPLE_QUESTION, text_sample_report, timed_sample_report
from thinkaloud.sessions.compare import compare_sessions, comparison_to_dict, match_statements, similarity
from thinkaloud.sessions.record import QuestionRef, save_report
from thinkaloud.sessions.render import render_comparison_markdown, render_comparison_text
from thinkaloud.sessions.store import SessionStore
from thinkaloud.sessions.trends import judge, sparkline


@pytest.fixture(scope="module")
def reports(text_analyzer):
    return {"strong": timed_sample_report("strong", text_analyzer), "weak": timed_sample_report("weak", text_analyzer)}


def expected_changes(before, after) -> dict[str, str]:
    """What the checklist comparison must say, from the two reports' own checklists."""
    names = {(True, True): "kept", (False, True): "added", (True, False): "dropped", (False, False): "missing"}
    return {kind: names[(before.summary.checklist[kind].present, after.summary.checklist[kind].present)]
            for kind in before.summary.checklist}


def saved_pair(before, after):
    question = QuestionRef(SAMPLE_QUESTION, "ml-churn")
    a = save_report(before, kind="file", source="weak_answer.wav", question=question)
    b = save_report(after, kind="file", source="strong_answer.wav", question=question)
    with SessionStore() as store:
        return store.load(a.id), store.load(b.id)


def test_weak_then_strong_adds_the_whole_checklist_and_improves_delivery(reports):
    comparison = compare_sessions(*saved_pair(reports["weak"], reports["strong"]))
    assert comparison.same_question
    changes = {c.kind: c.change for c in comparison.checklist}
    assert changes == expected_changes(reports["weak"], reports["strong"])
    assert "added" in changes.values() and "dropped" not in changes.values()
    limitations = next(s for s in comparison.statements if s.kind == "limitation")
    strong_limitations = [s.text for s in reports["strong"].signals if s.kind == "limitation"]
    assert list(limitations.added) == strong_limitations and not limitations.dropped and not limitations.kept
    metrics = {m.key: m for m in comparison.metrics}
    assert (metrics["silence_count"].before, metrics["silence_count"].after) == (1, 0)
    assert metrics["silence_count"].verdict == "better"
    assert metrics["filler_count"].verdict == "better"
    assert metrics["checklist_score"].delta == sum(c == "added" for c in changes.values()) >= 1
    assert metrics["framing_at"].after == pytest.approx(reports["strong"].summary.checklist["framing"].first_at)


def test_strong_then_weak_drops_everything(reports):
    comparison = compare_sessions(*saved_pair(reports["strong"], reports["weak"]))
    changes = {c.kind: c.change for c in comparison.checklist}
    assert changes == expected_changes(reports["strong"], reports["weak"])
    assert "dropped" in changes.values() and "added" not in changes.values()
    limitations = next(s for s in comparison.statements if s.kind == "limitation")
    assert limitations.dropped and not limitations.added
    assert {m.key: m.verdict for m in comparison.metrics}["hedge_count"] == "worse"


def test_a_reworded_assumption_is_kept_and_a_new_one_added(text_analyzer):
    from thinkaloud.analyze import Analyzer

    analyzer = Analyzer(text_analyzer=text_analyzer)
    before = analyzer.analyze_text(
        "I'll assume twelve months of usage logs. Let's say about a million active subscribers. "
        "I'll assume labels come from cancellations.", source="a.txt")
    after = analyzer.analyze_text(
        "Let's assume we have twelve months of usage logs. I'll assume the budget allows one retrain a week. "
        "Let's say roughly a million active subscribers.", source="b.txt")
    comparison = compare_sessions(*saved_pair(before, after))
    assumptions = next(s for s in comparison.statements if s.kind == "assumption")
    assert [b for b, _ in assumptions.kept] == [
        "I'll assume twelve months of usage logs.", "Let's say about a million active subscribers."]
    assert assumptions.added == ("I'll assume the budget allows one retrain a week.",)
    assert assumptions.dropped == ("I'll assume labels come from cancellations.",)


def test_statement_matching_pairs_each_statement_once():
    before = ["cheaper but slower serving", "batch jobs are cheaper but slower than streaming"]
    changes = match_statements("tradeoff", before, ["cheaper, slower serving"])
    assert changes.kept == (("cheaper but slower serving", "cheaper, slower serving"),)
    assert changes.dropped == ("batch jobs are cheaper but slower than streaming",)
    assert similarity("Nightly batch scoring is cheaper.", "We stream events to Kafka.") < 0.5


def test_statements_run_together_or_split_apart_are_still_kept():
    merged = match_statements("assumption", ["I'll assume twelve months of logs.", "Let's say a million subscribers."],
                              ["I'll assume twelve months of logs and let's say a million subscribers."])
    assert not merged.dropped and not merged.added and len(merged.kept) == 2
    split = match_statements("assumption", ["I'll assume twelve months of logs and let's say a million subscribers."],
                             ["I'll assume twelve months of logs.", "Let's say a million subscribers."])
    assert not split.dropped and not split.added


def test_text_takes_have_no_silence_figures(text_analyzer):
    comparison = compare_sessions(*saved_pair(text_sample_report("weak", text_analyzer),
                                              text_sample_report("strong", text_analyzer)))
    metrics = {m.key: m for m in comparison.metrics}
    assert metrics["silence_count"].before is None and metrics["silence_count"].verdict is None
    assert "long silences" not in render_comparison_text(comparison)


def test_renderings_show_what_changed(reports):
    comparison = compare_sessions(*saved_pair(reports["weak"], reports["strong"]))
    text = render_comparison_text(comparison)
    assert SAMPLE_QUESTION in text
    from thinkaloud.timefmt import clock

    from thinkaloud.report.text import CHECKLIST_LABELS

    added = next(c for c in comparison.checklist if c.change == "added")
    at = clock(added.after.first_at)
    assert f"  {CHECKLIST_LABELS[added.kind]:<22}  ✗        ✓ {at:<5}  added" in text
    first_limitation = next(s.text for s in reports["strong"].signals if s.kind == "limitation")
    assert f"+ added    “{first_limitation}”" in text
    assert "long silences           1          0          -1 better" in text
    markdown = render_comparison_markdown(comparison)
    assert f"| {CHECKLIST_LABELS[added.kind]} | ✗ | ✓ {at} | added |" in markdown
    data = comparison_to_dict(comparison)
    assert data["checklist"][added.kind]["change"] == "added"
    assert data["metrics"]["silence_count"] == {"label": "long silences", "unit": "count", "before": 1, "after": 0,
                                                "delta": -1, "verdict": "better"}


def test_a_take_without_a_report_cannot_be_compared(reports):
    from thinkaloud.errors import InputError
    from thinkaloud.sessions.layout import SessionMeta, create_session_dir, new_session_id

    meta = SessionMeta(id=new_session_id(), created="2026-11-28T10:00:00.000+00:00", kind="live", source="mic",
                       status="interrupted")
    create_session_dir(meta)
    done = save_report(reports["strong"], kind="file", source="s.wav")
    with SessionStore() as store:
        store.sync()
        with pytest.raises(InputError, match=f"session {meta.id} has no report \\(interrupted\\)"):
            compare_sessions(store.load(meta.id), store.load(done.id))


@pytest.mark.parametrize(
    ("direction", "before", "after", "verdict"),
    [("lower", 3, 1, "better"), ("lower", 1, 3, "worse"), ("higher", 2, 2, "same"), ("pace", 120, 150, "better"),
     ("pace", 150, 158, "same"), ("pace", 150, 190, "worse"), ("lower", None, 2, None), ("neutral", 1, 5, None)],
)
def test_verdicts_follow_each_metrics_direction(direction, before, after, verdict):
    assert judge(direction, before, after) == verdict


def test_sparklines_scale_between_extremes_and_leave_gaps():
    assert sparkline([0, 5, 10]) == "▁▅█"
    assert sparkline([2, None, 2]) == "▅ ▅"
    assert sparkline([None]) == " "
