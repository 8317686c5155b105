"""The read model: one build of the store, loaded, in parts named for what they answer (no Flask).

A :class:`~webmap.read.store.Store` is one loaded build; its parts answer the questions pages ask. What any part
derives from the build is kept in the build's one memo (:class:`webmap.read.memo.Memo`) and lives and dies with it.
"""
