"""Blind held-out set 15: first-hour questions of CFOs, finance leads and RevOps analysts."""
