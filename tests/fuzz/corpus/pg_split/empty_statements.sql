;;; SELECT 1;; ;
;