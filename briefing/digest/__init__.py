"""Digests: for a window of time, one brief per topic and an index page, handed off and recorded.

    windows.py     what a window covers, and which articles fall in it
    make.py        the briefs and the index page, in a folder named after the window
    pdfs.py        their PDFs, laid out on worker processes while the next topic is chosen
    record.py      what was made, delivered, mailed or failed, kept with the digests (not the index)
    handoff.py     a copy into a shared folder, a mail with the PDFs
    run.py         one run start to end under the digests' lock: plan, make, hand off, record
    unattended.py  secrets, the run log and its rotation, for runs no one watches
    schedule.py    the crontab line or systemd units that start runs

Nothing is imported here, so ``briefing.index`` can read the old record without loading the rest.
"""
