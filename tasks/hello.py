"""Says hello: the smallest task there is."""
import os
import platform

print(f"Hello from taskrun! run {os.environ.get('TASKRUN_RUN_ID')} of task {os.environ.get('TASKRUN_TASK_ID')}")
print(f"Python {platform.python_version()} on {platform.system()}")
