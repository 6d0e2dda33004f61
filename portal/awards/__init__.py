"""Awards: allocation from the ranking, moves with a reason, publication with objections."""
