"""brat's own checks on brat collections, run from a brat source tree on Python 3.

usage: BRAT_BASE_DIR=DIR python3 brat_verify.py BRAT_DIR FILE.ann ...
(BRAT_BASE_DIR: a directory above every collection; brat looks for annotation.conf and
visual.conf from a document's directory upwards while BASE_DIR is in the path.)

For each collection directory: brat's config reader on annotation.conf and visual.conf. For each
.ann: brat's parser (annotation.TextAnnotations; lines it cannot parse are what brat's UI
reports as "Unable to parse the following line(s)") and brat's verifier
(verify_annotations.verify_annotation), as verify_annotations.main does. Prints every message
and issue, then the counts; exits 1 if there is any warning, error or issue.

brat opens files with codecs.open(..., 'rU'); Python 3.11 removed the 'U' mode. On Python
3.3-3.10 codecs.open forces binary mode, where 'U' was accepted and ignored, so dropping it
reproduces what brat does there. brat's server modules import a `config` module (made by its
installer); a minimal one is written to a temporary directory. Nothing else of brat is changed.
"""
import codecs
import os
import sys
import tempfile

brat = sys.argv[1]
config_dir = tempfile.mkdtemp()
with open(os.path.join(config_dir, "config.py"), "w") as config:
    config.write(
        "BASE_DIR = %r\nDATA_DIR = %r\nWORK_DIR = %r\nADMIN_CONTACT_EMAIL = 'nobody@example.invalid'\n"
        "DEBUG = False\nUSER_PASSWORD = {}\n" % (os.environ["BRAT_BASE_DIR"], config_dir, config_dir)
    )
sys.path[:0] = [config_dir, os.path.join(brat, "server", "src")]

import annotation  # noqa: E402
import projectconfig  # noqa: E402
from message import Messager  # noqa: E402


def open_textfile(filename, mode="r"):
    return codecs.open(filename, mode.replace("U", ""), encoding="utf8", errors="strict")


annotation.open_textfile = open_textfile
projectconfig.open_textfile = open_textfile

import verify_annotations  # noqa: E402


def drain_messager():
    pending = Messager._Messager__pending_messages
    Messager._Messager__pending_messages = []
    return [(kind, message) for message, kind, _ in pending]


counts = {"config": 0, "unparsed": 0, "parser": 0, "verifier": 0, "crashed": 0}
checked = set()
for path in sys.argv[2:]:
    directory = os.path.dirname(os.path.abspath(path))
    conf = projectconfig.ProjectConfiguration(directory)
    if directory not in checked:
        checked.add(directory)
        print("%s: entity types %s, event types %s, relation types %s" % (
            directory, conf.get_entity_types(), conf.get_event_types(), conf.get_relation_types()))
        drawing = projectconfig.get_drawing_config(directory)
        print("%s: visual.conf draws %s" % (
            directory, ", ".join("%s %s" % (n.storage_form(), n.special_arguments or n.arguments) for n in drawing)))
        for kind, message in drain_messager():
            print("%s:\tCONFIG %s: %s" % (directory, kind, message))
            counts["config"] += kind in ("warning", "error")
    with annotation.TextAnnotations(path[: -len(".ann")], read_only=True) as ann:
        for line in ann.failed_lines:
            print("%s:\tUNPARSED line %d: %s" % (path, line + 1, str(ann[line]).strip()))
            counts["unparsed"] += 1
        for kind, messages in (("error", ann.messages.messages.errors), ("warning", ann.messages.messages.warnings)):
            for message in messages:
                print("%s:\tPARSER %s: %s" % (path, kind, message))
                counts["parser"] += 1
        try:
            issues = verify_annotations.verify_annotation(ann, conf)
        except Exception as error:  # the verifier trips over lines the parser gave up on
            print("%s:\tVERIFIER CRASHED: %r" % (path, error))
            counts["crashed"] += 1
            issues = []
    for issue in issues:
        print("%s:\t%s" % (path, issue.human_readable_str()))
    counts["verifier"] += len(issues)
    for kind, message in drain_messager():
        print("%s:\tMESSAGE %s: %s" % (path, kind, message))
        counts["config"] += kind in ("warning", "error")
    print("%s: %d T, %d verifier issues" % (path, len(list(ann.get_textbounds())), len(issues)))
print("brat checks on %d documents: %s" % (len(sys.argv) - 2, counts))
sys.exit(1 if any(counts.values()) else 0)
