//! The browser bundle's memory allocator: power-of-two size classes, each with a free list, carved
//! from memory the module grows. It replaces std's dlmalloc in the wasm32 build to save bundle
//! size (~5 KB of wasm for dlmalloc against a few hundred bytes here).
//!
//! Trade-offs, chosen for this app: a block is never split or merged, so a request rounds up to
//! the next power of two (at most 2x the memory asked for) and a freed block is reused only for
//! requests of its class. WebAssembly memory never shrinks, so dlmalloc does not give memory back
//! either. The page is single-threaded (no atomics, no threads in this build).

use std::alloc::{GlobalAlloc, Layout};
use std::cell::UnsafeCell;

/// Bytes per WebAssembly page.
const PAGE_BYTES: usize = 65_536;
/// The smallest block: room for the free list's next pointer, and 8-byte alignment.
const CLASS_MIN_LOG2: usize = 3;
/// Size classes 2^3 ..= 2^31 bytes.
const CLASSES: usize = 32;

pub struct SizeClassAlloc {
    state: UnsafeCell<State>,
}

struct State {
    /// `free[k]`: a block of 2^k bytes that is free, whose first word points to the next one.
    free: [usize; CLASSES],
    /// Memory not yet handed out: `next..end`.
    next: usize,
    end: usize,
}

// The wasm32 build has one thread.
unsafe impl Sync for SizeClassAlloc {}

impl SizeClassAlloc {
    pub const fn new() -> Self {
        SizeClassAlloc { state: UnsafeCell::new(State { free: [0; CLASSES], next: 0, end: 0 }) }
    }
}

/// The class (log2 of the block size) for a layout, or None when it exceeds the largest class.
fn class_of(layout: &Layout) -> Option<usize> {
    let need = layout.size().max(layout.align()).max(1 << CLASS_MIN_LOG2);
    let class = need.checked_next_power_of_two()?.trailing_zeros() as usize;
    (class < CLASSES).then_some(class)
}

unsafe impl GlobalAlloc for SizeClassAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(class) = class_of(&layout) else { return std::ptr::null_mut() };
        // SAFETY: one thread, and no call below re-enters the allocator.
        let state = unsafe { &mut *self.state.get() };
        let head = state.free[class];
        // A free block is aligned to 8; a stricter alignment takes fresh memory.
        if head != 0 && layout.align() <= 1 << CLASS_MIN_LOG2 {
            // SAFETY: `head` is a free block of this class; its first word is the next link.
            state.free[class] = unsafe { *(head as *const usize) };
            return head as *mut u8;
        }
        let size = 1usize << class;
        let align = layout.align().max(1 << CLASS_MIN_LOG2);
        let mut start = (state.next + align - 1) & !(align - 1);
        if start + size > state.end || state.end == 0 {
            let pages = (size + align).div_ceil(PAGE_BYTES);
            let old_pages = core::arch::wasm32::memory_grow(0, pages);
            if old_pages == usize::MAX {
                return std::ptr::null_mut();
            }
            // Memory this module grows is contiguous with what it grew before, unless something
            // else grew it in between: then the unused tail before it is abandoned.
            let grown_start = old_pages * PAGE_BYTES;
            if grown_start != state.end {
                state.next = grown_start;
            }
            state.end = grown_start + pages * PAGE_BYTES;
            start = (state.next + align - 1) & !(align - 1);
        }
        state.next = start + size;
        start as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let Some(class) = class_of(&layout) else { return };
        // SAFETY: one thread; `ptr` was handed out for this class and is at least a word long.
        let state = unsafe { &mut *self.state.get() };
        unsafe { *(ptr as *mut usize) = state.free[class] };
        state.free[class] = ptr as usize;
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: GlobalAlloc's contract: `layout` describes `ptr`, `new_size` is valid for it.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        if class_of(&layout) == class_of(&new_layout) {
            return ptr; // the block already has room
        }
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            unsafe {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::browser_test as test;

    #[test]
    fn class_of_rounds_up_to_a_power_of_two_of_at_least_eight_bytes() {
        let class = |size, align| class_of(&Layout::from_size_align(size, align).unwrap());
        assert_eq!(class(1, 1), Some(3));
        assert_eq!(class(8, 8), Some(3));
        assert_eq!(class(9, 1), Some(4));
        assert_eq!(class(24, 8), Some(5));
        assert_eq!(class(4, 64), Some(6), "alignment counts as size");
        assert_eq!(class(1 << 30, 1), Some(30));
        assert_eq!(class((1 << 30) + 1, 1), Some(31), "the largest class holds any wasm32 layout");
    }

    /// Blocks handed out are aligned, disjoint, keep their contents through realloc, and are
    /// reused after free: checked on a private allocator, with the global one untouched.
    #[test]
    fn blocks_are_aligned_disjoint_preserved_and_reused() {
        let heap = SizeClassAlloc::new();
        let mut live: Vec<(*mut u8, Layout, u8)> = Vec::new();
        let mut seed = 7u64;
        for step in 0..4000u32 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let r = (seed >> 33) as usize;
            if live.len() > 200 || (r % 3 == 0 && !live.is_empty()) {
                let (ptr, layout, fill) = live.swap_remove(r % live.len());
                for i in 0..layout.size() {
                    assert_eq!(unsafe { *ptr.add(i) }, fill, "step {step}: block contents kept");
                }
                if r % 2 == 0 {
                    unsafe { heap.dealloc(ptr, layout) };
                } else {
                    let new_size = 1 + r % 3000;
                    let moved = unsafe { heap.realloc(ptr, layout, new_size) };
                    assert!(!moved.is_null());
                    for i in 0..layout.size().min(new_size) {
                        assert_eq!(unsafe { *moved.add(i) }, fill, "step {step}: realloc keeps the prefix");
                    }
                    let layout = Layout::from_size_align(new_size, layout.align()).unwrap();
                    unsafe { std::ptr::write_bytes(moved, fill, new_size) };
                    live.push((moved, layout, fill));
                }
            } else {
                let align = 1usize << (r % 7); // 1 ..= 64
                let layout = Layout::from_size_align(1 + r % 5000, align).unwrap();
                let ptr = unsafe { heap.alloc(layout) };
                assert!(!ptr.is_null());
                assert_eq!(ptr as usize % align, 0, "step {step}: aligned to {align}");
                let fill = step as u8;
                unsafe { std::ptr::write_bytes(ptr, fill, layout.size()) };
                live.push((ptr, layout, fill));
            }
            // Disjoint: no two live blocks overlap.
            let mut spans: Vec<(usize, usize)> = live.iter().map(|(p, l, _)| (*p as usize, *p as usize + l.size())).collect();
            spans.sort();
            assert!(spans.windows(2).all(|w| w[0].1 <= w[1].0), "step {step}: blocks overlap");
        }
        // A freed block is the next one handed out for its class.
        let layout = Layout::from_size_align(100, 8).unwrap();
        let a = unsafe { heap.alloc(layout) };
        unsafe { heap.dealloc(a, layout) };
        assert_eq!(unsafe { heap.alloc(layout) }, a);
    }
}
