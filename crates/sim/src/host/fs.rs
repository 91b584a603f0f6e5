//! The host's file system: directories and files with bytes, keyed by canonical path.

use std::collections::BTreeMap;
use std::ops::Bound;

use bytes::Bytes;

use super::path::PathStyle;

#[derive(Clone, Debug)]
pub enum NodeKind {
    Dir,
    /// `Bytes` so that the platform baseline shared by thousands of hosts is not copied.
    File(Bytes),
}

#[derive(Clone, Debug)]
pub struct Node {
    /// The path as created (original case).
    pub path: String,
    pub kind: NodeKind,
    /// Unix seconds.
    pub created: i64,
    pub modified: i64,
}

impl Node {
    pub fn is_dir(&self) -> bool {
        matches!(self.kind, NodeKind::Dir)
    }

    pub fn size(&self) -> u64 {
        match &self.kind {
            NodeKind::Dir => 0,
            NodeKind::File(b) => b.len() as u64,
        }
    }

    pub fn bytes(&self) -> Option<&Bytes> {
        match &self.kind {
            NodeKind::Dir => None,
            NodeKind::File(b) => Some(b),
        }
    }
}

/// Why a file-system change failed; commands render it in the platform's words.
#[derive(Debug, PartialEq, Eq)]
pub enum FsError {
    NotFound,
    ParentNotFound,
    NotADirectory,
    IsADirectory,
    AlreadyExists,
    DirectoryNotEmpty,
}

#[derive(Clone, Debug)]
pub struct FileSystem {
    pub style: PathStyle,
    nodes: BTreeMap<String, Node>,
}

impl FileSystem {
    pub fn new(style: PathStyle, time: i64) -> FileSystem {
        let mut fs = FileSystem {
            style,
            nodes: BTreeMap::new(),
        };
        let root = style.root().to_string();
        fs.nodes.insert(
            style.key(&root),
            Node {
                path: root,
                kind: NodeKind::Dir,
                created: time,
                modified: time,
            },
        );
        fs
    }

    pub fn get(&self, path: &str) -> Option<&Node> {
        self.nodes.get(&self.style.key(path))
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Creates a directory and its missing parents.
    pub fn mkdir_all(&mut self, path: &str, time: i64) -> Result<(), FsError> {
        if let Some(node) = self.get(path) {
            return if node.is_dir() {
                Ok(())
            } else {
                Err(FsError::NotADirectory)
            };
        }
        if let Some(parent) = self.style.parent(path) {
            self.mkdir_all(&parent, time)?;
        }
        self.nodes.insert(
            self.style.key(path),
            Node {
                path: path.to_string(),
                kind: NodeKind::Dir,
                created: time,
                modified: time,
            },
        );
        Ok(())
    }

    /// Creates one directory; its parent must exist.
    pub fn mkdir(&mut self, path: &str, time: i64) -> Result<(), FsError> {
        if self.get(path).is_some() {
            return Err(FsError::AlreadyExists);
        }
        match self.style.parent(path).and_then(|p| self.get(&p)) {
            Some(p) if p.is_dir() => self.mkdir_all(path, time),
            Some(_) => Err(FsError::NotADirectory),
            None => Err(FsError::ParentNotFound),
        }
    }

    /// Writes a file, creating missing parent directories (scenario loading, `put`).
    pub fn write(&mut self, path: &str, bytes: Bytes, time: i64) -> Result<(), FsError> {
        if let Some(parent) = self.style.parent(path) {
            self.mkdir_all(&parent, time)?;
        }
        let key = self.style.key(path);
        if let Some(existing) = self.nodes.get_mut(&key) {
            if existing.is_dir() {
                return Err(FsError::IsADirectory);
            }
            existing.kind = NodeKind::File(bytes);
            existing.modified = time;
            return Ok(());
        }
        self.nodes.insert(
            key,
            Node {
                path: path.to_string(),
                kind: NodeKind::File(bytes),
                created: time,
                modified: time,
            },
        );
        Ok(())
    }

    /// The direct children of a directory, in name order.
    pub fn children(&self, dir: &str) -> Vec<&Node> {
        let prefix = self.child_prefix(dir);
        let sep = self.style.sep();
        self.nodes
            .range::<String, _>((Bound::Included(&prefix), Bound::Unbounded))
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter(|(k, _)| k.len() > prefix.len() && !k[prefix.len()..].contains(sep))
            .map(|(_, n)| n)
            .collect()
    }

    /// Every node under a directory (not the directory itself), in path order.
    pub fn descendants(&self, dir: &str) -> Vec<&Node> {
        let prefix = self.child_prefix(dir);
        self.nodes
            .range::<String, _>((Bound::Included(&prefix), Bound::Unbounded))
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter(|(k, _)| k.len() > prefix.len())
            .map(|(_, n)| n)
            .collect()
    }

    fn child_prefix(&self, dir: &str) -> String {
        let key = self.style.key(dir);
        if key.ends_with(self.style.sep()) {
            key
        } else {
            format!("{key}{}", self.style.sep())
        }
    }

    /// Removes a file, or a directory (with everything under it when `recursive`).
    pub fn remove(&mut self, path: &str, recursive: bool) -> Result<Node, FsError> {
        let node = self.get(path).ok_or(FsError::NotFound)?.clone();
        if node.is_dir() {
            let under: Vec<String> = self
                .descendants(path)
                .iter()
                .map(|n| self.style.key(&n.path))
                .collect();
            if !under.is_empty() && !recursive {
                return Err(FsError::DirectoryNotEmpty);
            }
            for k in under {
                self.nodes.remove(&k);
            }
        }
        self.nodes.remove(&self.style.key(path));
        Ok(node)
    }

    /// Copies a file or a directory tree to `to` (which must not exist; its parent must).
    pub fn copy(&mut self, from: &str, to: &str, time: i64) -> Result<(), FsError> {
        let src = self.get(from).ok_or(FsError::NotFound)?.clone();
        match self.style.parent(to).and_then(|p| self.get(&p)) {
            Some(p) if p.is_dir() => {}
            Some(_) => return Err(FsError::NotADirectory),
            None => return Err(FsError::ParentNotFound),
        }
        if let Some(dst) = self.get(to)
            && dst.is_dir()
        {
            return Err(FsError::IsADirectory);
        }
        let mut moved = vec![(to.to_string(), src.clone())];
        if src.is_dir() {
            for n in self.descendants(from) {
                let rel = self
                    .style
                    .relative(&src.path, &n.path, &self.style.sep().to_string());
                moved.push((self.style.join(to, &rel), n.clone()));
            }
        }
        for (path, mut node) in moved {
            node.path = path.clone();
            node.created = time;
            node.modified = time;
            self.nodes.insert(self.style.key(&path), node);
        }
        Ok(())
    }

    /// Moves a file or directory tree.
    pub fn rename(&mut self, from: &str, to: &str, time: i64) -> Result<(), FsError> {
        if self.get(to).is_some() {
            return Err(FsError::AlreadyExists);
        }
        self.copy(from, to, time)?;
        self.remove(from, true)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn win() -> FileSystem {
        FileSystem::new(
            PathStyle {
                windows: true,
                fold_case: true,
            },
            0,
        )
    }

    #[test]
    fn write_creates_parents_and_children_lists_direct_entries() {
        let mut fs = win();
        fs.write("C:\\Users\\bob\\a.txt", Bytes::from_static(b"hi"), 1)
            .unwrap();
        fs.write("C:\\Users\\bob\\sub\\b.txt", Bytes::from_static(b"x"), 1)
            .unwrap();
        let names: Vec<&str> = fs
            .children("c:\\users\\BOB")
            .iter()
            .map(|n| n.path.as_str())
            .collect();
        assert_eq!(names, ["C:\\Users\\bob\\a.txt", "C:\\Users\\bob\\sub"]);
        assert_eq!(fs.children("C:\\").len(), 1);
        assert_eq!(fs.get("C:\\USERS\\bob\\A.TXT").unwrap().size(), 2);
    }

    #[test]
    fn remove_needs_recursive_for_non_empty_directories() {
        let mut fs = win();
        fs.write("C:\\d\\f", Bytes::from_static(b"x"), 1).unwrap();
        assert_eq!(
            fs.remove("C:\\d", false).unwrap_err(),
            FsError::DirectoryNotEmpty
        );
        fs.remove("C:\\d", true).unwrap();
        assert!(fs.get("C:\\d\\f").is_none());
        assert_eq!(fs.remove("C:\\d", true).unwrap_err(), FsError::NotFound);
    }

    #[test]
    fn copy_and_rename_move_trees() {
        let mut fs = win();
        fs.write("C:\\d\\f", Bytes::from_static(b"x"), 1).unwrap();
        fs.copy("C:\\d", "C:\\e", 2).unwrap();
        assert!(fs.get("C:\\e\\f").is_some());
        fs.rename("C:\\e", "C:\\g", 3).unwrap();
        assert!(fs.get("C:\\e").is_none());
        assert_eq!(fs.get("C:\\g\\f").unwrap().path, "C:\\g\\f");
    }
}
