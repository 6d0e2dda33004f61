"""A review's scores read as columns, one per criterion: a join per criterion on the unique
(review, criterion) index gives one row per review. The ranking and the reviews sheet read every
review of a round this way; a row per score (150,000 for 50,000 reviews), grouped afterwards,
cost a third more in the database and three times the rows to fetch."""
from portal.extensions import db
from portal.models import Review, Score


def with_score_columns(statement, criteria):
    """The statement (over Review) with each criterion's score added as a float column, in the
    order of `criteria`; NULL where the review has no score of that criterion."""
    scores = [db.aliased(Score) for _criterion in criteria]
    for score, criterion in zip(scores, criteria):
        statement = statement.outerjoin(score, (score.review_id == Review.id)
                                        & (score.criterion_id == criterion.id))
    return statement.add_columns(*(db.cast(score.value, db.Float) for score in scores))
