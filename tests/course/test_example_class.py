"""`make example`: the example class of course/example_class/a1_backprop grades as its builder
(tests/course/example_class.py) says: scores, statuses, and a reason for every row that is
not plainly graded."""
import pytest

from nnlab.course import classroom
from nnlab.course.policy import bwrap_binary

from example_class import FOLDER, ROOT, STUDENTS

pytestmark = pytest.mark.skipif(bwrap_binary() is None, reason="bubblewrap is not installed")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    work = tmp_path_factory.mktemp("example")
    results, *_ = classroom.grade_class("a1_backprop", FOLDER, root=ROOT, out=work / "grades",
                                        feedback=work / "feedback", gradebook=False, echo=lambda *a: None)
    return {r.student: r for r in results}


def test_the_folder_holds_exactly_the_class():
    assert sorted(p.stem for p in FOLDER.glob("*.ipynb")) == sorted(STUDENTS)


@pytest.mark.parametrize("student", sorted(STUDENTS))
def test_each_student_gets_the_expected_score_and_status(graded, student):
    _, score, status = STUDENTS[student]
    result = graded[student]
    assert (result.score, result.status) == (score, status), result.reasons
    if status != "graded":
        assert result.reasons, "a row that is not plainly graded must say why"
