"""The HTML of a quiz or survey: a plain, accessible form that reads with JavaScript off.

coursepack.js attaches the behaviour (checking, feedback, tracking) to this structure:
`section.cp-quiz[data-quiz]` > `form.cp-quiz-form` > one `fieldset.cp-q[data-q][data-type]`
per question, whose inputs carry option indices; feedback and results go into the empty
`.cp-feedback` and `.cp-result` live regions. Every word shown comes from the locale strings.

Ids are unique on a page by construction (docs/decisions.md): the section is `quiz-<quiz>`, its
title `quiz-<quiz>.title`, and everything of a question `<quiz>.<question>.<part>`. Quiz and
question ids cannot hold '.', nor can the ids headings get from their text, so the number of dots
tells these apart and no two quizzes, questions or headings share one.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache

import lxml.html
import markdown
from lxml.html import HtmlElement

from builder import state
from builder.locale import Strings
from builder.mdext import MarkupExtension
from builder.quiz import Question, Quiz

_BLOCK_START = re.compile(r"^\s*(?:[-+*>]|#{1,6}|\d+[.)])(?=\s|$)")


# --- Markdown in prompts, options and items ---------------------------------------------

@cache
def _markdown() -> markdown.Markdown:
    """Extensions as objects: a name makes Python-Markdown scan every installed package's entry points (~10 ms)."""
    from markdown.extensions.attr_list import AttrListExtension
    from markdown.extensions.sane_lists import SaneListExtension
    from markdown.extensions.tables import TableExtension

    extensions = [AttrListExtension(), SaneListExtension(), TableExtension(), MarkupExtension()]
    return markdown.Markdown(extensions=extensions, output_format="html")


def _convert(text: str, inline: bool) -> HtmlElement:
    """Markdown to a <div> holding the result; inline text never becomes a list or heading."""
    if inline:
        text = _escape_block_start(text.replace("\n", " "))
    md = _markdown()
    md.reset()
    holder = lxml.html.fragment_fromstring(md.convert(text) or "<p></p>", create_parent="div")
    if inline and len(holder) == 1 and holder[0].tag == "p" and not (holder.text or "").strip():
        paragraph = holder[0]
        paragraph.tag = "div"
        return paragraph
    return holder


def _escape_block_start(text: str) -> str:
    """'1. Foo' or '- Foo' as a prompt is text, not a list: escape the marker."""
    match = _BLOCK_START.match(text)
    if not match:
        return text
    at = match.end() - 1 if text[match.end() - 1] in ".)" else len(text) - len(text.lstrip())
    return f"{text[:at]}\\{text[at:]}"


def _append(parent: HtmlElement, text: str, inline: bool = True) -> None:
    """Add rendered Markdown at the end of `parent`."""
    holder = _convert(text, inline)
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + (holder.text or "")
    else:
        parent.text = (parent.text or "") + (holder.text or "")
    for child in list(holder):
        parent.append(child)


def plain(text: str) -> str:
    """Markdown as plain text: images become their alt text, whitespace is collapsed."""
    holder = _convert(text, inline=True)
    for img in list(holder.iter("img")):
        img.tail = (img.get("alt") or "") + (img.tail or "")
        img.drop_tree()
    return " ".join(holder.text_content().split())


def _seed(base: str) -> str:
    """The shuffle seed of a question: '<quiz>-<question>', as before ids had dots, so orders stay put."""
    return base.replace(".", "-")


def shuffled(count: int, seed: str) -> list[int]:
    """A fixed order of `count` indices for `seed`, never the written order when there are several."""
    order = sorted(range(count), key=lambda i: hashlib.sha256(f"{seed}/{i}".encode()).hexdigest())
    return order[1:] + order[:1] if count > 1 and order == list(range(count)) else order


# --- the section --------------------------------------------------------------------------

def _el(parent: HtmlElement | None, tag: str, text: str = "", **attrs: str) -> HtmlElement:
    element = lxml.html.Element(tag, {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()})
    element.text = text or None
    if parent is not None:
        parent.append(element)
    return element


def anchor(quiz: Quiz) -> str:
    """The quiz's anchor: links to it (`03-zoning.md#quiz-zones`) and My progress use it."""
    return f"quiz-{quiz.id}"


def quiz_section(quiz: Quiz, t: Strings) -> HtmlElement:
    """The whole <section> of one quiz or survey."""
    base = anchor(quiz)
    section = _el(None, "section", class_="cp-quiz cp-survey" if quiz.survey else "cp-quiz", id=base,
                  data_quiz=quiz.id, aria_labelledby=f"{base}.title")
    _append(_el(section, "h2", id=f"{base}.title"), quiz.title)
    _el(section, "p", _info(quiz, t), class_="cp-quiz-info")
    if quiz.intro:
        _append(_el(section, "div", class_="cp-quiz-intro"), quiz.intro, inline=False)
    form = _el(section, "form", class_="cp-quiz-form", novalidate="")
    for question in quiz.questions:
        form.append(_fieldset(quiz, question, t))
    actions = _el(form, "div", class_="cp-actions")
    _el(actions, "button", t["quiz_send" if quiz.survey else "quiz_check"], type="submit", class_="cp-check",
        hidden="")
    _el(form, "div", class_="cp-result", role="status", aria_live="polite")
    noscript = _el(section, "noscript")
    _el(noscript, "p", t["quiz_noscript_survey" if quiz.survey else "quiz_noscript"], class_="cp-noscript")
    if not quiz.survey and not quiz.graded:
        section.append(_answer_key(quiz, t))
    return section


def _info(quiz: Quiz, t: Strings) -> str:
    if quiz.survey:
        return t["quiz_info_survey"]
    parts = [t["quiz_info_graded" if quiz.graded else "quiz_info_check"]]
    if quiz.attempts:
        parts.append(t.count("quiz_attempts", quiz.attempts))
    elif quiz.graded:
        parts.append(t["quiz_attempts_unlimited"])
    return " · ".join(parts)


def number(value: float) -> int | float:
    """2.0 -> 2, 0.5 stays 0.5: how points are shown and stored."""
    return int(value) if float(value).is_integer() else value


def _fieldset(quiz: Quiz, question: Question, t: Strings) -> HtmlElement:
    base = f"{quiz.id}.{question.id}"  # the interaction id the LMS records; also the name of its inputs
    fieldset = _el(None, "fieldset", class_="cp-q", data_q=question.id, data_type=question.type)
    legend = _el(fieldset, "legend", id=f"{base}.prompt")
    _append(legend, question.prompt)
    if quiz.graded:
        points = _el(legend, "span", t.count("quiz_points", number(question.points)), class_="cp-points")
        _space_before(legend, points)
    if question.text:
        _append(_el(fieldset, "div", class_="cp-q-text"), question.text, inline=False)
    hint = t.get(f"quiz_hint_{question.type}")
    if hint:
        _el(fieldset, "p", hint, class_="cp-hint", id=f"{base}.hint")
        fieldset.set("aria-describedby", f"{base}.hint")
    ANSWERS[question.type](fieldset, question, base, t)
    _el(fieldset, "div", class_="cp-feedback", id=f"{base}.fb", aria_live="polite")
    return fieldset


def _space_before(parent: HtmlElement, child: HtmlElement) -> None:
    previous = child.getprevious()
    if previous is None:
        parent.text = (parent.text or "") + " "
    else:
        previous.tail = (previous.tail or "") + " "


def _options(fieldset: HtmlElement, question: Question, base: str, t: Strings) -> None:
    kind = "checkbox" if question.type == "multiple" else "radio"
    labels = [o.text for o in question.options] or [t[f"quiz_likert_{i}"] for i in range(1, 6)]
    options = _el(fieldset, "ul", class_="cp-options")
    for i, text in enumerate(labels):
        item = _el(options, "li")
        _el(item, "input", type=kind, name=base, id=f"{base}.{i}", value=str(i)).tail = " "
        _append(_el(item, "label", for_=f"{base}.{i}"), text)


def _typed(fieldset: HtmlElement, question: Question, base: str, t: Strings) -> None:
    labelled = f"{base}.prompt"
    if question.type == "fill":
        _el(fieldset, "input", type="text", class_="cp-fill", id=f"{base}.input", name=base,
            aria_labelledby=labelled, autocomplete="off", maxlength=str(state.FILL_MAX))
    else:
        _el(fieldset, "textarea", class_="cp-text", id=f"{base}.input", name=base, aria_labelledby=labelled,
            maxlength=str(state.TEXT_MAX), rows="4")


def _ordering(fieldset: HtmlElement, question: Question, base: str, t: Strings) -> None:
    listing = _el(fieldset, "ol", class_="cp-order")
    positions = [str(n) for n in range(1, len(question.items) + 1)]
    for k in shuffled(len(question.items), f"{_seed(base)}/order"):
        item = _el(listing, "li", data_item=str(k))
        _append(_el(item, "label", for_=f"{base}.{k}"), question.items[k])
        item[-1].tail = " "
        _select(item, f"{base}.{k}", [(p, p) for p in positions])


def _matching(fieldset: HtmlElement, question: Question, base: str, t: Strings) -> None:
    listing = _el(fieldset, "ul", class_="cp-match")
    right = question.right
    choices = [(str(j), plain(right[j])) for j in shuffled(len(right), f"{_seed(base)}/right")]
    for i, left in enumerate(question.left):
        item = _el(listing, "li", data_left=str(i))
        _append(_el(item, "label", for_=f"{base}.{i}"), left)
        item[-1].tail = " "
        _select(item, f"{base}.{i}", choices)


def _select(parent: HtmlElement, ident: str, choices: list[tuple[str, str]]) -> None:
    select = _el(parent, "select", id=ident, name=ident)
    _el(select, "option", "–", value="")
    for value, text in choices:
        _el(select, "option", text, value=value)


ANSWERS = {"single": _options, "multiple": _options, "truefalse": _options, "likert": _options,
           "fill": _typed, "text": _typed, "ordering": _ordering, "matching": _matching}


# --- the answer key of a knowledge check (no JavaScript needed) ---------------------------------

def _answer_key(quiz: Quiz, t: Strings) -> HtmlElement:
    details = _el(None, "details", class_="cp-answers")
    _el(details, "summary", t["quiz_show_answers"])
    listing = _el(details, "ol")
    for question in quiz.questions:
        item = _el(listing, "li")
        _el(item, "p", plain(question.prompt), class_="cp-answer-q")
        _key(item, question, t)
        feedback = [o.feedback for o in question.options if o.correct and o.feedback] + [question.feedback]
        for text in filter(None, feedback):
            _el(item, "p", plain(text), class_="cp-answer-fb")
    return details


def _key(item: HtmlElement, question: Question, t: Strings) -> None:
    kind = question.type
    if kind in ("ordering", "matching"):
        _el(item, "p", t["quiz_key_order" if kind == "ordering" else "quiz_key_matches"], class_="cp-answer")
        listing = _el(item, "ol" if kind == "ordering" else "ul")
        texts = question.items if kind == "ordering" else [f"{plain(a)}: {plain(b)}" for a, b in question.pairs]
        for text in texts:
            _el(listing, "li", plain(text))
        return
    answers = [plain(o.text) for o in question.options if o.correct] if kind != "fill" else question.answers
    key = "quiz_key_answer" if len(answers) == 1 else "quiz_key_answers"
    _el(item, "p", f"{t[key]} {'; '.join(answers)}", class_="cp-answer")
