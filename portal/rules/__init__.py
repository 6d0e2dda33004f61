"""The floor of contest rules below the stages: who takes part in a round, the scoring window
and the score check, how a judge is named (contest.py), what a criterion's score is by kind
(criteria.py), the conflict lookup (conflicts.py) and a review's scores read as columns
(scores.py). Every stage, the policy, the ranking, the imports and the judge workspace read them
here; they import nothing above the models."""
