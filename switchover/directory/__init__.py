"""Who a person is: the directory interface and its implementations."""

from switchover.directory.base import Directory, DirectoryUser

__all__ = ["Directory", "DirectoryUser"]
