-- Question: How many items does an average order contain?
-- Description: Average number of order lines (distinct products) and of units per order that counts for revenue.
WITH per_order AS (
    SELECT o.order_id,
           COUNT(*) AS order_lines,
           SUM(oi.quantity) AS units
    FROM orders AS o
    JOIN order_items AS oi ON oi.order_id = o.order_id
    WHERE o.status NOT IN ('cancelled', 'returned')
    GROUP BY o.order_id
)
SELECT ROUND(AVG(order_lines), 2) AS avg_order_lines,
       ROUND(AVG(units), 2) AS avg_units
FROM per_order;
