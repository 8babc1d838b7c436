"""QTI 1.2.1 in the IMS Common Cartridge 1.1 profile: a graded quiz as an assessment an LMS imports as native
questions (Moodle, Canvas, Blackboard, Brightspace).

Made from the course model (builder.tracking: types, points, right answers) and the question texts as the
module page renders them (HTML, links already pointing at package files). CC 1.1 has five item profiles;
ordering and matching have none, so each becomes one multiple-choice item per position or per left item,
sharing the question's points, so the quiz keeps its questions and its weight (docs/authoring.md).
"""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
QTI_SCHEMA = "http://www.imsglobal.org/profile/cc/ccv1p1/ccv1p1_qtiasiv1p2p1_v1p0.xsd"
EXAM = "cc.exam.v0p1"  # the one assessment profile of CC 1.1
CHOICE, RESPONSE, TRUE_FALSE = "cc.multiple_choice.v0p1", "cc.multiple_response.v0p1", "cc.true_false.v0p1"
FIB, ESSAY = "cc.fib.v0p1", "cc.essay.v0p1"
ITEM_PROFILES = (CHOICE, RESPONSE, TRUE_FALSE, FIB, ESSAY)
PROFILE = {"single": CHOICE, "multiple": RESPONSE, "truefalse": TRUE_FALSE, "fill": FIB, "text": ESSAY,
           "ordering": CHOICE, "matching": CHOICE}  # the last two split into one item per position / left item
RESPONSE_ID = "response1"
FILEBASE = "$IMS-CC-FILEBASE$/../"  # from an assessment's folder back to the cartridge root (CC 1.1 §4)


@dataclass(frozen=True)
class Texts:
    """One question's HTML as its page shows it: prompt (with its own text), and each option, item or left item."""

    prompt: str
    labels: dict[int, str] = field(default_factory=dict)


def assessment(ident: str, quiz: dict[str, Any], texts: dict[str, Texts], direction: str = "ltr") -> bytes:
    """The assessment.xml of one graded quiz of the course model; `texts` by question id. In a right-to-left
    language every text says so, since the LMS around it may well be left to right."""
    root = etree.Element(_q("questestinterop"), nsmap={None: QTI_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{QTI_NS} {QTI_SCHEMA}")
    test = _sub(root, "assessment", ident=ident, title=quiz["title"])
    _metadata(test, [("cc_profile", EXAM), ("qmd_assessmenttype", "Examination"), ("qmd_scoretype", "Percentage"),
                     ("cc_maxattempts", str(quiz["attempts"]) if quiz["attempts"] else "unlimited")])
    section = _sub(test, "section", ident=f"{ident}.section")  # '.' is in no question id: never an item's
    for question in quiz["questions"]:
        for item in _items(ident, question, texts[question["id"]]):
            section.append(item)
    if direction == "rtl":
        for text in root.iter(_q("mattext")):
            text.text = f'<div dir="rtl">{text.text}</div>'
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _items(ident: str, question: dict[str, Any], texts: Texts) -> list[etree._Element]:
    """The question's item, or for ordering and matching one choice item per position or left item."""
    base, kind = f"{ident}-{question['id']}", question["type"]
    if kind == "ordering":
        return _ordering(base, question, texts)
    if kind == "matching":
        return _matching(base, question, texts)
    if kind == "fill":
        return [_fill(base, question, texts.prompt)]
    options = [texts.labels.get(i, html_text(o["text"])) for i, o in enumerate(question["options"])]
    return [_choice(base, question, texts.prompt, options, question["correct"], question["points"])]


def _ordering(base: str, question: dict[str, Any], texts: Texts) -> list[etree._Element]:
    """'Which item comes n-th?', once per position, every item a choice ('.' joins: no question id has one)."""
    items = [texts.labels.get(k, html_text(text)) for k, text in enumerate(question["items"])]
    points = _share(question, len(items))
    return [_choice(f"{base}.{n}", question, f"{texts.prompt}<p><strong>{n}.</strong></p>", items, [n - 1], points,
                    shuffle=True) for n in range(1, len(items) + 1)]


def _matching(base: str, question: dict[str, Any], texts: Texts) -> list[etree._Element]:
    """'What matches this left item?', once per left item, the right-hand items the choices."""
    right = [html_text(text) for text in question["right"]]
    points = _share(question, len(question["left"]))
    return [_choice(f"{base}.{i + 1}", question,
                    f"{texts.prompt}<p><strong>{texts.labels.get(i, html_text(left))}</strong></p>", right,
                    [question["correct"][i]], points, shuffle=True) for i, left in enumerate(question["left"])]


def _share(question: dict[str, Any], parts: int) -> float:
    """Each part's points when a question is split: the question's points shared, to two decimals."""
    return round(question["points"] / parts, 2)


def _item(ident: str, question: dict[str, Any], profile: str, points: float, prompt: str) -> etree._Element:
    """An <item> with its metadata and prompt; the caller adds the response and its processing."""
    item = etree.Element(_q("item"), ident=ident, title=question["prompt"][:250] or question["id"])
    _metadata(_sub(item, "itemmetadata"), [("cc_profile", profile), ("cc_weighting", _number(points))])
    _mattext(_sub(_sub(item, "presentation"), "material"), prompt)
    return item


def _choice(ident: str, question: dict[str, Any], prompt: str, options: list[str], correct: list[int],
            points: float, shuffle: bool = False) -> etree._Element:
    """A multiple-choice, multiple-response or true/false item: SCORE 100 for exactly the right options."""
    profile = PROFILE[question["type"]]
    item = _item(ident, question, profile, points, prompt)
    response = _sub(item.find(_q("presentation")), "response_lid", ident=RESPONSE_ID,
                    rcardinality="Multiple" if profile == RESPONSE else "Single")
    render = _sub(response, "render_choice", shuffle="Yes" if shuffle else "No")
    for i, text in enumerate(options):
        _mattext(_sub(_sub(render, "response_label", ident=f"{ident}-{i}"), "material"), text)
    processing = _processing(item, question)
    condition = _sub(processing, "respcondition", {"continue": "No"})
    test = _sub(condition, "conditionvar")
    if profile == RESPONSE:  # every right option and none of the others
        test = _sub(test, "and")
        for i in range(len(options)):
            if i not in correct:
                _varequal(_sub(test, "not"), f"{ident}-{i}")
    for i in correct:
        _varequal(test, f"{ident}-{i}")
    _score(condition)
    feedback = [(f"{ident}-{i}", o.get("feedback", "")) for i, o in enumerate(question.get("options", []))]
    for label, text in feedback:  # each option's own feedback, shown when it is chosen
        if text:
            shown = _sub(processing, "respcondition", {"continue": "Yes"})
            _varequal(_sub(shown, "conditionvar"), label)
            _sub(shown, "displayfeedback", feedbacktype="Response", linkrefid=f"{label}-fb")
            _feedback(item, f"{label}-fb", html_text(text))
    return item


def _fill(ident: str, question: dict[str, Any], prompt: str) -> etree._Element:
    """A fill-in-the-blank item: SCORE 100 for any accepted answer (with accents left out too, unless the
    question asks for them: the page's check ignores them)."""
    item = _item(ident, question, FIB, question["points"], prompt)
    response = _sub(item.find(_q("presentation")), "response_str", ident=RESPONSE_ID, rcardinality="Single")
    _sub(_sub(response, "render_fib"), "response_label", ident=f"{ident}-answer")
    processing = _processing(item, question)
    answers = list(question["answers"])
    if not question.get("accents"):
        answers += [_without_accents(answer) for answer in answers]
    for answer in dict.fromkeys(answers):
        condition = _sub(processing, "respcondition", {"continue": "No"})
        _varequal(_sub(condition, "conditionvar"), answer, case="Yes" if question.get("case") else "No")
        _score(condition)
    return item


def _processing(item: etree._Element, question: dict[str, Any]) -> etree._Element:
    """<resprocessing> with the SCORE outcome, showing the question's feedback whatever the answer."""
    processing = _sub(item, "resprocessing")
    _sub(_sub(processing, "outcomes"), "decvar", varname="SCORE", vartype="Decimal", minvalue="0", maxvalue="100")
    if question.get("feedback"):
        always = _sub(processing, "respcondition", {"continue": "Yes"})
        _sub(_sub(always, "conditionvar"), "other")
        _sub(always, "displayfeedback", feedbacktype="Response", linkrefid="general_fb")
        _feedback(item, "general_fb", html_text(question["feedback"]))
    return processing


def _varequal(parent: etree._Element, value: str, case: str | None = None) -> None:
    attrs = {"respident": RESPONSE_ID, **({"case": case} if case else {})}
    _sub(parent, "varequal", attrs).text = value


def _score(condition: etree._Element) -> None:
    _sub(condition, "setvar", varname="SCORE", action="Set").text = "100"


def _feedback(item: etree._Element, ident: str, html: str) -> None:
    """An <itemfeedback>, after every other part of the item as QTI orders them."""
    _mattext(_sub(_sub(_sub(item, "itemfeedback", ident=ident), "flow_mat"), "material"), html)


def _metadata(parent: etree._Element, fields: list[tuple[str, str]]) -> None:
    metadata = _sub(parent, "qtimetadata")
    for label, entry in fields:
        pair = _sub(metadata, "qtimetadatafield")
        _sub(pair, "fieldlabel").text = label
        _sub(pair, "fieldentry").text = entry


def _mattext(material: etree._Element, html: str) -> None:
    _sub(material, "mattext", texttype="text/html").text = html


def html_text(text: str) -> str:
    """Plain text (the course model's) as HTML."""
    return html.escape(text, quote=False)


def _without_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))



def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _q(tag: str) -> str:
    return f"{{{QTI_NS}}}{tag}"


def _sub(parent: etree._Element, tag: str, attrs: dict[str, str] | None = None, **more: str) -> etree._Element:
    return etree.SubElement(parent, _q(tag), {**(attrs or {}), **more})
