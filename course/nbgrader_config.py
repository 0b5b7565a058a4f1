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
