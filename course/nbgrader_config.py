"""nbgrader configuration: run nbgrader from this folder (course/).

The course root is the repository root: masters in solutions/, student releases in
assignments/; runtime folders and the gradebook stay here, in course/, and are git-ignored.
"""
import os

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

COURSE = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "nnlab"
c.CourseDirectory.root = os.path.dirname(COURSE)
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"
c.CourseDirectory.submitted_directory = os.path.join("course", "submitted")
c.CourseDirectory.autograded_directory = os.path.join("course", "autograded")
c.CourseDirectory.feedback_directory = os.path.join("course", "feedback")
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(COURSE, "gradebook.db")

# `nbgrader autograde` (and formgrader's autograde button) grade with nnlab's sandboxed
# grader instead of running a submission in a kernel of this machine; nbgrader's feedback
# pages never show hidden tests. (`nnlab grade` does the same for a whole class, in parallel.)
c.Autograde.autograde_preprocessors = [
    "nnlab.course.gradebook.SandboxedAutograde",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.GenerateFeedback.preprocessors = [
    "nnlab.course.gradebook.StripHiddenTests",
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
# the visible tests' messages are written in short lines; this keeps longer ones whole
c.Validator.width = 120
