# The scripted Claude's app (tests/support/scripted_claude.py) is written into a sandbox and tested
# there, on the generated apps' stack; it is not part of this suite.
collect_ignore_glob = ["*"]
