//! Lessons as data: each lesson is a list of steps, each step has commands to run and a goal
//! predicate over the engine's state and history.
