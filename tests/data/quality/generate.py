"""Build .eml files and labels.jsonl from YAML corpus specs.

Usage: python generate.py SPEC_DIR OUT_DIR [--rewrap COLUMNS]

Reads every *.yaml in SPEC_DIR (sorted; each a YAML list of message specs),
validates each spec (one-line error naming file, id and field; exit 2), and
writes OUT_DIR/<id>.eml (CRLF line endings) plus OUT_DIR/labels.jsonl.
With --rewrap, every plain-text body and text attachment (forwarded messages too)
is hard-wrapped at COLUMNS as a mail client wraps on sending, quoted lines keeping
their "> " prefix: the same mail, as some clients deliver it.
Output is deterministic: MIME boundaries and default Message-IDs derive from
the id, no current time is used, PDFs are written by matplotlib without a
creation date and images by Pillow with fixed settings.
A spec (or a forwarded message's nested spec) may give ``to:``; without it the message
is addressed to customercare@servicer.example.
"""
import copy, hashlib, io, json, os, re, sys, textwrap  # noqa: E401
from datetime import datetime
from email import charset as _cs, utils
from email.generator import BytesGenerator
from email.header import Header
from email.message import Message
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.image import MIMEImage
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32

import yaml

LANGS = {"en", "es", "vi", "zh", "ht", "pt", "ko", "tl", "ar", "fr"}
MACHINE = {None, "auto_reply", "out_of_office", "dsn", "mdn", "mailing_list", "newsletter", "notification"}
KINDS = {"notice_of_error", "request_for_information", "payoff_statement", "loss_mitigation_application"}
SUBKINDS = {"payoff_balance_error", "foreclosure_sale_error", "owner_identity"}
FAMILIES = {"notice_of_error", "legal_representation", "regulator_complaint", "bankruptcy", "foreclosure_sale",
            "fraud_identity_theft", "elder_exploitation", "servicemember", "successor_in_interest",
            "discrimination", "disaster_hardship", "media_threat", "complaint"}
CATEGORIES = {"account_inquiry", "payment_clarification", "document_request", "complaint_legal", "other"}
STRUCTURES = {"plain", "dsn", "mdn"}
ATT_KINDS = {"pdf", "jpeg", "png", "txt", "rfc822"}
REQUIRED = ["id", "persona", "language", "script", "code_switched", "from", "date", "subject", "structure", "labels"]
LABEL_KEYS = ["machine", "acknowledge", "request_kinds", "request_subkinds", "escalation_families",
              "foreclosure_sale_date", "category", "acceptable_categories", "spoofed", "rationale"]
DEFAULT_TO = "customercare@servicer.example"
QP = _cs.Charset("utf-8")
QP.body_encoding = _cs.QP


class SpecError(Exception):
    pass


def fail(where, field, msg):
    raise SpecError(f"{where[0]}: id={where[1]}: field '{field}': {msg}")


def is_subset(val, allowed):
    return isinstance(val, list) and all(v in allowed for v in val) and len(set(val)) == len(val)


def is_date(v):
    try:
        return datetime.fromisoformat(str(v)).tzinfo is not None
    except ValueError:
        return False


def att_ok(a):
    if not isinstance(a, dict) or a.get("kind") not in ATT_KINDS:
        return False
    if a["kind"] == "rfc822":
        return isinstance(a.get("message"), dict) and "from" in a["message"]
    return isinstance(a.get("filename"), str) and isinstance(a.get("text"), str)


def validate(spec, fname, seen):
    """Raise SpecError naming file, id and field for the first violation found."""
    where = (fname, spec.get("id") if isinstance(spec, dict) else "?")
    if not isinstance(spec, dict):
        fail(where, "-", "each list item must be a mapping")
    for k in REQUIRED:
        if k not in spec:
            fail(where, k, "missing")
    frm, lab, st = spec["from"], spec["labels"], spec["structure"]
    checks = [
        ("id", lambda: isinstance(spec["id"], str) and re.fullmatch(r"[A-Z]-\d{4}", spec["id"]), "must look like 'A-0001'"),
        ("id", lambda: spec["id"] not in seen, f"duplicate (also in {seen.get(spec['id'])})"),
        ("language", lambda: spec["language"] in LANGS, f"unknown {spec['language']!r}"),
        ("script", lambda: (spec["script"] in ("hans", "hant")) if spec["language"] == "zh" else spec["script"] is None,
         "zh needs hans|hant; other languages need null"),
        ("code_switched", lambda: isinstance(spec["code_switched"], bool), "must be true/false"),
        ("from", lambda: isinstance(frm, dict) and isinstance(frm.get("name"), str) and "@" in str(frm.get("address")),
         "needs name (string) and address (containing @)"),
        ("date", lambda: is_date(spec["date"]), f"not RFC 3339 with offset: {spec['date']!r}"),
        ("subject", lambda: isinstance(spec["subject"], str), "must be a string (may be empty)"),
        ("structure", lambda: st in STRUCTURES, f"must be one of {sorted(STRUCTURES)}"),
        ("text", lambda: st != "plain" or spec.get("text") or spec.get("html"), "plain messages need text and/or html"),
        ("text", lambda: all(isinstance(spec.get(k) or "", str) for k in ("text", "html")), "text/html must be strings"),
        ("dsn", lambda: st != "dsn" or (isinstance(spec.get("dsn"), dict) and
                                        all(k in spec["dsn"] for k in ("original_to", "status", "diagnostic"))),
         "needs original_to, status, diagnostic"),
        ("mdn", lambda: st != "mdn" or isinstance(spec.get("mdn"), dict), "must be a mapping (original_subject, disposition, final_recipient, reporting_ua; each optional)"),
        ("headers", lambda: isinstance(spec.get("headers") or {}, dict) and
         all(isinstance(v, (str, list)) for v in (spec.get("headers") or {}).values()), "must map names to strings"),
        ("attachments", lambda: all(att_ok(a) for a in spec.get("attachments") or []),
         f"each needs kind in {sorted(ATT_KINDS)} plus filename+text (or message for rfc822)"),
        ("labels", lambda: isinstance(lab, dict), "must be a mapping"),
    ] + [(f"labels.{k}", (lambda k=k: k in lab), "missing") for k in LABEL_KEYS] + [
        ("labels.machine", lambda: lab["machine"] in MACHINE, f"must be null or one of {sorted(MACHINE - {None})}"),
        ("labels.acknowledge", lambda: isinstance(lab["acknowledge"], bool), "must be true/false"),
        ("labels.spoofed", lambda: isinstance(lab["spoofed"], bool), "must be true/false"),
        ("labels.request_kinds", lambda: is_subset(lab["request_kinds"], KINDS), f"must be a subset of {sorted(KINDS)}"),
        ("labels.request_subkinds", lambda: is_subset(lab["request_subkinds"], SUBKINDS), f"subset of {sorted(SUBKINDS)}"),
        ("labels.escalation_families", lambda: is_subset(lab["escalation_families"], FAMILIES), "unknown family"),
        ("labels.category", lambda: lab["category"] in CATEGORIES, f"must be one of {sorted(CATEGORIES)}"),
        ("labels.acceptable_categories", lambda: is_subset(lab["acceptable_categories"], CATEGORIES), "unknown category"),
        ("labels.foreclosure_sale_date", lambda: lab["foreclosure_sale_date"] is None or
         re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(lab["foreclosure_sale_date"])), "must be null or YYYY-MM-DD"),
        ("labels.machine", lambda: lab["machine"] is None or not (lab["acknowledge"] or lab["escalation_families"]
                                                                  or lab["request_kinds"]),
         "machine mail needs acknowledge false and no kinds/families"),
        ("labels.acknowledge", lambda: lab["machine"] or lab["acknowledge"] or lab["spoofed"],
         "human, non-spoofed mail must be acknowledged"),
        ("labels.escalation_families", lambda: "notice_of_error" not in lab["request_kinds"]
         or "notice_of_error" in lab["escalation_families"], "notice_of_error kind needs the notice_of_error family"),
        ("labels.rationale", lambda: isinstance(lab["rationale"], str) and lab["rationale"].strip(), "must be non-empty"),
    ]
    for field, ok, msg in checks:
        if not ok():
            fail(where, field, msg)
    seen[spec["id"]] = fname


class Boundaries:
    def __init__(self, mid):
        self.mid, self.n = mid, 0

    def next(self):
        self.n += 1
        h = hashlib.sha1(f"{self.mid}/{self.n}".encode()).hexdigest()
        return f"----=_Part_{self.n}_{h[:20]}"


def text_part(body, subtype="plain"):
    body = body.replace("\r\n", "\n")
    if body.isascii() and max((len(l) for l in body.split("\n")), default=0) < 900:
        return MIMEText(body, subtype, "us-ascii")
    return MIMEText(body, subtype, QP)


def wrap_lines(text, width):
    return [w for line in text.split("\n") for w in (textwrap.wrap(line, width) or [""])]


def rewrap_text(text, width):
    """``text`` with every line longer than ``width`` broken at spaces; a quoted line's
    continuation keeps its "> " prefix, so quoted history stays quoted."""
    out = []
    for line in text.replace("\r\n", "\n").split("\n"):
        prefix = re.match(r"(?:>\s?)*", line).group()
        if len(line) <= width or not line[len(prefix):].strip():
            out.append(line)
            continue
        out.extend(textwrap.wrap(line[len(prefix):], max(width - len(prefix), 20),
                                 initial_indent=prefix, subsequent_indent=prefix,
                                 break_long_words=False, break_on_hyphens=False))
    return "\n".join(out)


def rewrap_spec(spec, width):
    """A copy of ``spec`` whose plain-text body and text attachments are rewrapped."""
    spec = copy.deepcopy(spec)
    if spec.get("text"):
        spec["text"] = rewrap_text(spec["text"], width)
    for a in spec.get("attachments") or []:
        if a["kind"] == "txt":
            a["text"] = rewrap_text(a["text"], width)
        elif a["kind"] == "rfc822":
            a["message"] = rewrap_spec(a["message"], width)
    return spec


def make_pdf(text):
    import matplotlib
    matplotlib.use("Agg")
    matplotlib.rcParams["pdf.fonttype"] = 42
    matplotlib.rcParams["svg.hashsalt"] = "fixed"
    from matplotlib.figure import Figure
    lines = wrap_lines(text, 85)
    fig = Figure(figsize=(8.5, 11))
    for i, line in enumerate(lines[:60]):
        # parse_math=False: a line with two "$" is money, not a TeX formula to render
        fig.text(0.07, 0.95 - i * 0.015, line, fontsize=9, family="DejaVu Sans", parse_math=False)
    buf = io.BytesIO()
    fig.savefig(buf, format="pdf", metadata={"CreationDate": None, "Creator": None, "Producer": None})
    return buf.getvalue()


def make_image(text, fmt):
    from PIL import Image, ImageDraw, ImageFont
    lines = wrap_lines(text, 48)
    try:
        font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 22)
    except OSError:
        font = ImageFont.load_default()
    img = Image.new("RGB", (760, max(200, 40 + 30 * len(lines))), (246, 244, 238))
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((24, 20 + 30 * i), line, fill=(20, 20, 20), font=font)
    buf = io.BytesIO()
    if fmt == "jpeg":
        img.save(buf, format="JPEG", quality=82, optimize=False, progressive=False)
    else:
        img.save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def attachment(a, bnd, mid):
    k = a["kind"]
    if k == "rfc822":
        part = MIMEMessage(build(dict(a["message"], id=mid + "/fwd"), bnd))
        if a.get("filename"):
            part.add_header("Content-Disposition", "attachment", filename=a["filename"])
        return part
    if k == "pdf":
        part = MIMEApplication(make_pdf(a["text"]), "pdf")
    elif k in ("jpeg", "png"):
        part = MIMEImage(make_image(a["text"], k), k)
    else:
        part = text_part(a["text"])
    part.add_header("Content-Disposition", "attachment", filename=a["filename"])
    return part


def fmt_addr(name, addr):
    if name and not name.isascii():
        return utils.formataddr((name, addr), charset="utf-8")
    return utils.formataddr((name, addr)) if name else addr


def fmt_subject(s):
    if "=?" in s or s.isascii():
        return s
    return Header(s, "utf-8").encode()


def dsn_body(spec, bnd):
    d, frm = spec["dsn"], spec["from"]["address"]
    mta = d.get("reporting_mta", frm.split("@")[-1])
    human = spec.get("text") or (f"This is the mail system at host {mta}.\n\nI'm sorry to have to inform you that your "
                                 f"message could not be delivered to one or more recipients.\n\n<{d['original_to']}>: "
                                 f"{d['diagnostic']}\n")
    rep = MIMEMultipart("report", boundary=bnd.next(), report_type="delivery-status")
    rep.attach(text_part(human))
    per_msg, per_rcpt = Message(), Message()
    per_msg["Reporting-MTA"] = f"dns; {mta}"
    if d.get("arrival_date"):
        per_msg["Arrival-Date"] = d["arrival_date"]
    for k, v in (("Final-Recipient", f"rfc822; {d['original_to']}"), ("Action", "failed"),
                 ("Status", str(d["status"])), ("Diagnostic-Code", f"smtp; {d['diagnostic']}")):
        per_rcpt[k] = v
    ds = MIMEBase("message", "delivery-status")
    ds.set_payload([per_msg, per_rcpt])
    rep.attach(ds)
    # The returned headers are the original's as sent: a non-ASCII subject is encoded.
    orig = (f"From: {d.get('original_from', DEFAULT_TO)}\nTo: {d['original_to']}\n"
            f"Subject: {fmt_subject(d.get('original_subject', ''))}\nDate: {d.get('original_date', 'Mon, 1 Jun 2026 09:00:00 -0400')}\n"
            f"Message-ID: <{hashlib.sha1(spec['id'].encode()).hexdigest()[:24]}@servicer.example>\n")
    rep.attach(MIMEText(orig, "rfc822-headers", "us-ascii"))
    return rep


def mdn_body(spec, bnd):
    m = spec["mdn"]
    final = m.get("final_recipient", spec["from"]["address"])
    human = spec.get("text") or (f"Your message\n\n  To: {final}\n  Subject: {m.get('original_subject', '')}\n\n"
                                 "was displayed. This is no guarantee that the message has been read or understood.\n")
    rep = MIMEMultipart("report", boundary=bnd.next(), report_type="disposition-notification")
    rep.attach(text_part(human))
    dn = MIMEBase("message", "disposition-notification")
    dn.set_payload(f"Reporting-UA: {m.get('reporting_ua', 'Microsoft Outlook 16.0')}\r\n"
                   f"Final-Recipient: rfc822;{final}\r\n"
                   f"Original-Message-ID: <{hashlib.sha1(spec['id'].encode()).hexdigest()[:24]}@servicer.example>\r\n"
                   f"Disposition: {m.get('disposition', 'manual-action/MDN-sent-manually; displayed')}\r\n")
    rep.attach(dn)
    return rep


def build(spec, bnd):
    structure = spec.get("structure", "plain")
    if structure == "dsn":
        body = dsn_body(spec, bnd)
    elif structure == "mdn":
        body = mdn_body(spec, bnd)
    elif spec.get("text") and spec.get("html"):
        body = MIMEMultipart("alternative", boundary=bnd.next())
        body.attach(text_part(spec["text"]))
        body.attach(text_part(spec["html"], "html"))
    elif spec.get("html"):
        body = text_part(spec["html"], "html")
    else:
        body = text_part(spec.get("text") or "")
    if spec.get("attachments"):
        mixed = MIMEMultipart("mixed", boundary=bnd.next())
        mixed.attach(body)
        for a in spec["attachments"]:
            mixed.attach(attachment(a, bnd, spec["id"]))
        body = mixed
    for sub in body.walk():
        if sub is not body and not getattr(sub, "is_root", False):
            del sub["MIME-Version"]
    mime_hdrs = [(k, v) for k, v in body.items()]
    for k in set(k for k, _ in mime_hdrs):
        del body[k]
    for k, v in (spec.get("headers") or {}).items():
        for item in (v if isinstance(v, list) else [v]):
            body[k] = item
    frm = spec["from"]
    body["From"] = fmt_addr(frm.get("name", ""), frm["address"])
    body["To"] = spec.get("to") or DEFAULT_TO
    body["Subject"] = fmt_subject(spec.get("subject", ""))
    body["Date"] = utils.format_datetime(datetime.fromisoformat(str(spec.get("date", "2026-06-01T09:00:00-04:00"))))
    mid = spec.get("message_id")
    if not mid:
        h = hashlib.sha1(("mid:" + spec["id"]).encode()).hexdigest()
        dom = frm["address"].split("@")[-1] or "localhost"
        mid = f"<{h[:12].upper()}.{h[12:20]}@{dom}>"
    body["Message-ID"] = mid
    if spec.get("in_reply_to"):
        body["In-Reply-To"] = spec["in_reply_to"]
        body["References"] = spec["in_reply_to"]
    body["MIME-Version"] = "1.0"
    body.is_root = True
    for k, v in mime_hdrs:
        if k != "MIME-Version":
            body[k] = v
    return body


def to_bytes(msg):
    buf = io.BytesIO()
    BytesGenerator(buf, mangle_from_=False, policy=compat32.clone(linesep="\r\n", max_line_length=998)).flatten(msg)
    return buf.getvalue()


def main(argv):
    rewrap = None
    if len(argv) == 5 and argv[3] == "--rewrap" and argv[4].isdigit() and int(argv[4]) >= 20:
        rewrap = int(argv[4])
    elif len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    spec_dir, out_dir = argv[1], argv[2]
    seen, specs = {}, []
    try:
        for fname in sorted(f for f in os.listdir(spec_dir) if f.endswith(".yaml")):
            with open(os.path.join(spec_dir, fname), encoding="utf-8") as fh:
                try:
                    data = yaml.safe_load(fh)
                except yaml.YAMLError as e:
                    raise SpecError(f"{fname}: id=?: field '-': YAML error: {str(e).splitlines()[0]}")
            if not isinstance(data, list):
                raise SpecError(f"{fname}: id=?: field '-': file must be a YAML list")
            for spec in data:
                validate(spec, fname, seen)
                specs.append(spec)
    except SpecError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "labels.jsonl"), "w", encoding="utf-8", newline="\n") as lab:
        for spec in specs:
            shaped = copy.deepcopy(spec) if rewrap is None else rewrap_spec(spec, rewrap)
            data = to_bytes(build(shaped, Boundaries(spec["id"])))
            with open(os.path.join(out_dir, spec["id"] + ".eml"), "wb") as fh:
                fh.write(data)
            row = {"id": spec["id"], "language": spec["language"], "script": spec["script"],
                   "code_switched": spec["code_switched"], "structure": spec["structure"],
                   "from": spec["from"]["address"]}
            row.update({k: spec["labels"][k] for k in LABEL_KEYS})
            lab.write(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n")
    print(f"wrote {len(specs)} messages to {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
