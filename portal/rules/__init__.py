"""The floor of contest rules below the stages: who takes part in a round, the scoring window
and the score check, how a judge is named (contest.py), and the conflict lookup (conflicts.py).
Every stage, the policy, the ranking, the imports and the judge workspace read them here; they
import nothing above the models."""
